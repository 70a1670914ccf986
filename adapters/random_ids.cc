#include "adapters/random_ids.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
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

}  // namespace

// OpenSSL's generator, drawn a page at a time per thread: each RAND_bytes call costs more than
// the bytes (locks, a fork check), and every new contact takes three draws (an event id, a
// contact id, a key). Bytes handed out are wiped from the buffer. The process never forks.
void RandomBytes(unsigned char* p, size_t n) {
  struct Pool {
    unsigned char bytes[4096];
    size_t used = sizeof bytes;
    ~Pool() { OPENSSL_cleanse(bytes, sizeof bytes); }
  };
  thread_local Pool pool;
  for (size_t want = n; want > 0;) {
    if (pool.used == sizeof pool.bytes) {
      if (RAND_bytes(pool.bytes, sizeof pool.bytes) != 1) {
        throw std::runtime_error("no randomness available");
      }
      pool.used = 0;
    }
    const size_t take = std::min(want, sizeof pool.bytes - pool.used);
    std::memcpy(p, pool.bytes + pool.used, take);
    OPENSSL_cleanse(pool.bytes + pool.used, take);
    pool.used += take;
    p += take;
    want -= take;
  }
}

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
  // SHA-256 fetched from OpenSSL's providers once, and one digest context per thread:
  // EVP_Digest with EVP_sha256() fetched it and made a context at every call, over half of a
  // hash's time (every appended event is hashed into its stream's chain).
  static const EVP_MD* const sha256 = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched ? fetched : EVP_sha256();
  }();
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
      EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!context || EVP_DigestInit_ex2(context.get(), sha256, nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), text.data(), text.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest, &len) != 1) {
    // As before, through OpenSSL's one-call digest.
    EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  }
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
