#include "adapters/random_ids.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace helpdesk {
namespace {

std::string Hex(const unsigned char* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 0xf];
  }
  return out;
}

void RandomBytes(unsigned char* p, int n) {
  if (RAND_bytes(p, n) != 1) throw std::runtime_error("no randomness available");
}

}  // namespace

std::string NewId() {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "%011llx", static_cast<unsigned long long>(now));
  unsigned char rnd[5];
  RandomBytes(rnd, sizeof rnd);
  return std::string(prefix).substr(1) + Hex(rnd, sizeof rnd);
}

std::string NewSecretToken() {
  unsigned char rnd[32];
  RandomBytes(rnd, sizeof rnd);
  return Hex(rnd, sizeof rnd);
}

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  return Hex(digest, len);
}

}  // namespace helpdesk
