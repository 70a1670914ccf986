// Ids and secrets from the operating system's randomness (OpenSSL's CSPRNG).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace helpdesk {

// `n` bytes of OpenSSL's CSPRNG (drawn a page at a time per thread); throws std::runtime_error
// when the generator fails.
void RandomBytes(unsigned char* p, size_t n);
// A new id: 20 lowercase hex characters; ids made by one process sort in creation order.
std::string NewId();
// A bearer token: 64 hex characters of randomness.
std::string NewSecretToken();
// Hex SHA-256 of `text`; tokens are stored only as this digest.
std::string Sha256Hex(std::string_view text);
// Hex HMAC-SHA256 of `data` with `key`: the signature of webhooks and deliveries.
std::string HmacSha256Hex(const std::string& key, const std::string& data);
// Compares without leaking where two strings first differ (for secrets and signatures).
bool ConstantTimeEquals(const std::string& a, const std::string& b);

}  // namespace helpdesk
