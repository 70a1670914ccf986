#include "adapters/random_ids.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <mutex>
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
  // 10 hex digits of milliseconds, 3 of a sequence within the millisecond, 7 random: ids made by
  // one process sort in creation order, and two processes never collide in practice.
  static std::mutex mu;
  static uint64_t last_ms = 0, seq = 0;
  uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  {
    std::lock_guard<std::mutex> lock(mu);
    if (ms <= last_ms) {
      ms = last_ms;
      if (++seq > 0xfff) {  // 4096 ids in one millisecond: borrow the next one
        ++ms;
        seq = 0;
      }
    } else {
      seq = 0;
    }
    last_ms = ms;
  }
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "%010llx%03llx",
                static_cast<unsigned long long>(ms & 0xffffffffffULL),
                static_cast<unsigned long long>(seq));
  unsigned char rnd[4];
  RandomBytes(rnd, sizeof rnd);
  return std::string(prefix) + Hex(rnd, sizeof rnd).substr(1);
}

std::string NewSecretToken() {
  unsigned char rnd[32];
  RandomBytes(rnd, sizeof rnd);
  return Hex(rnd, sizeof rnd);
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  return Hex(digest, len);
}

std::string HmacSha256Hex(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return Hex(mac, len);
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace helpdesk
