// Ids and secrets from the operating system's randomness (OpenSSL's CSPRNG).
#pragma once

#include <string>

namespace helpdesk {

// A new id: 20 lowercase hex characters; ids made by one process sort in creation order.
std::string NewId();
// A bearer token: 64 hex characters of randomness.
std::string NewSecretToken();
// Hex SHA-256 of `text`; tokens are stored only as this digest.
std::string Sha256Hex(const std::string& text);

}  // namespace helpdesk
