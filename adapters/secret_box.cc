#include "adapters/secret_box.h"

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <stdexcept>

#include "adapters/random_ids.h"

namespace helpdesk {
namespace {

constexpr const char* kPrefix = "enc:v1:";
constexpr int kNonceBytes = 12;
constexpr int kTagBytes = 16;

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> FromBase64(const std::string& text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4 + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes: take them off (at most two, in the last group).
  size_t padding = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '=' && padding < 3; --i) ++padding;
  if (padding > 2 || static_cast<size_t>(n) < padding) return std::nullopt;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

std::optional<std::string> FromHex(const std::string& hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int value = 0;
    for (size_t k = i; k < i + 2; ++k) {
      const char c = hex[k];
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        value |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        value |= c - 'A' + 10;
      } else {
        return std::nullopt;
      }
    }
    out += static_cast<char>(value);
  }
  return out;
}

// AES-256-GCM, fetched from OpenSSL's providers once: EVP_aes_256_gcm() fetches it again at
// every init, and with a context made per call that was over half of a seal's time.
const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* const cipher = [] {
    const EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return fetched ? fetched : EVP_aes_256_gcm();
  }();
  return cipher;
}

// Per thread, one context that seals and one that opens, set up with the cipher once. Each
// seal and open then sets its key and nonce, or only the nonce when the key is the one the
// context holds already: a contact's fields are sealed one after the other with its key, and
// expanding the key again for each was a third of a seal's time. Null if OpenSSL could not make
// them, or could not take the key and nonce.
EVP_CIPHER_CTX* ThreadCipherContext(bool seal, const std::string& key, const unsigned char* nonce) {
  using Ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
  struct Cipher {
    Ctx ctx{nullptr, EVP_CIPHER_CTX_free};
    std::string key;  // the key the context holds; empty until one is set
  };
  const auto make = [](int enc) {
    Ctx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    if (ctx && EVP_CipherInit_ex(ctx.get(), Aes256Gcm(), nullptr, nullptr, nullptr, enc) != 1) {
      ctx.reset();
    }
    return ctx;
  };
  thread_local Cipher sealing;
  thread_local Cipher opening;
  Cipher& cipher = seal ? sealing : opening;
  if (!cipher.ctx) cipher.ctx = make(seal ? 1 : 0);  // at a thread's first use (again if failed)
  if (!cipher.ctx) return nullptr;
  const bool same_key = !cipher.key.empty() && cipher.key == key;
  // -1: the context's direction stays as it was made.
  if (EVP_CipherInit_ex(cipher.ctx.get(), nullptr, nullptr,
                        same_key ? nullptr : reinterpret_cast<const unsigned char*>(key.data()),
                        nonce, -1) != 1) {
    cipher.key.clear();
    return nullptr;
  }
  cipher.key = key;
  return cipher.ctx.get();
}

}  // namespace

Result<SecretBox> SecretBox::FromKeyText(const std::string& text) {
  std::vector<Key> keys;
  // Line by line (a contact's key is made by every new contact: no stream for this).
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    auto bytes = line.size() == 64 ? FromHex(line) : std::nullopt;
    if (!bytes) return InvalidField("secrets key", "must be 64 hex characters per line");
    keys.push_back(Key{Sha256Hex(*bytes).substr(0, 8), *bytes});
  }
  if (keys.empty()) return InvalidField("secrets key", "holds no key");
  return SecretBox(std::move(keys));
}

std::string SecretBox::NewKeyText() { return NewSecretToken(); }  // 64 hex characters

bool SecretBox::IsSealed(const std::string& value) { return value.rfind(kPrefix, 0) == 0; }

std::string SecretBox::Derive(const std::string& purpose) const {
  return HmacSha256Hex(keys_.front().bytes, purpose);
}

std::string SecretBox::Seal(const std::string& plain) const {
  if (plain.empty() || IsSealed(plain)) return plain;
  const Key& key = keys_.front();
  unsigned char nonce[kNonceBytes];
  RandomBytes(nonce, kNonceBytes);
  // The default nonce length of GCM is 12 bytes (kNonceBytes): key and nonce go in one init.
  EVP_CIPHER_CTX* const ctx = ThreadCipherContext(true, key.bytes, nonce);
  std::string out(reinterpret_cast<const char*>(nonce), kNonceBytes);
  out.resize(kNonceBytes + plain.size() + kTagBytes);
  auto* cipher = reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes;
  int len = 0, final_len = 0;
  const bool ok =
      ctx &&
      EVP_EncryptUpdate(ctx, cipher, &len, reinterpret_cast<const unsigned char*>(plain.data()),
                        static_cast<int>(plain.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx, cipher + len, &final_len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + plain.size()) == 1;
  if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");
  return kPrefix + key.id + ":" + Base64(out);
}

Result<std::string> SecretBox::Open(const std::string& value) const {
  if (!IsSealed(value)) return value;
  const std::string rest = value.substr(std::string(kPrefix).size());
  const size_t colon = rest.find(':');
  if (colon != 8) return InvalidField("secret", "is not a sealed value");
  const std::string key_id = rest.substr(0, colon);
  const Key* key = nullptr;
  for (const Key& k : keys_) {
    if (k.id == key_id) key = &k;
  }
  if (!key) return InvalidField("secret", "was sealed with key " + key_id + ", not configured");
  auto raw = FromBase64(rest.substr(colon + 1));
  if (!raw || raw->size() < kNonceBytes + kTagBytes) {
    return InvalidField("secret", "is not a sealed value");
  }
  const size_t cipher_size = raw->size() - kNonceBytes - kTagBytes;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
  std::string plain(cipher_size, '\0');
  EVP_CIPHER_CTX* const ctx = ThreadCipherContext(false, key->bytes, bytes);
  int len = 0, final_len = 0;
  std::string tag = raw->substr(kNonceBytes + cipher_size);
  const bool ok = ctx &&
                  EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(plain.data()), &len,
                                    bytes + kNonceBytes, static_cast<int>(cipher_size)) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
                  EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(plain.data()) + len,
                                      &final_len) == 1;
  if (!ok) return InvalidField("secret", "does not open with its key (tampered with?)");
  return plain;
}

}  // namespace helpdesk
