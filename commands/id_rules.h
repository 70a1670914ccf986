// Rules for client-supplied ids, shared by every create command.
#pragma once

#include <optional>
#include <string>

#include "adapters/env.h"
#include "domain/result.h"

namespace helpdesk {

// Largest message text, and largest name, reason or address, in bytes.
constexpr size_t kMaxTextBytes = 64 * 1024;
constexpr size_t kMaxNameBytes = 256;

// Ids name streams and appear in URLs: 1–64 of [A-Za-z0-9_.-].
bool IsValidId(const std::string& id);

// The client's id if valid, a new one from `ids` if none was given, or an invalid_field error.
Result<std::string> ChooseId(const std::optional<std::string>& requested, IdSource& ids);

// A new user's or channel's bearer token, made where the request came in so that only its
// digest ever travels or is recorded. When `token_sha256` is empty, makes a token, puts its
// digest there and returns the token (shown once); otherwise the token was made earlier (before
// routing) and this returns "".
std::string IssueBearerToken(std::string& token_sha256);

}  // namespace helpdesk
