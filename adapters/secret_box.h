// SecretBox: provider secrets encrypted at rest (AES-256-GCM, OpenSSL). A sealed value is
// "enc:v1:<key id>:<base64 of nonce(12) ciphertext tag(16)>", so events, the commands topic and
// the write model's store hold only that; the server opens it where it uses the secret.
//
// Keys: 32 random bytes, written as 64 hex characters, one per line. The first line seals;
// every line opens (rotation: put a new key first, restart, re-save each integration, then
// drop the old line: docs/security.md). The key id is the first 8 hex characters of the key's
// SHA-256, so a value names the key it needs.
#pragma once

#include <string>
#include <vector>

#include "domain/result.h"

namespace helpdesk {

class SecretBox {
 public:
  // invalid_field unless every non-empty line is 64 hex characters (and there is one).
  static Result<SecretBox> FromKeyText(const std::string& text);
  // A new key line (64 hex characters of randomness).
  static std::string NewKeyText();
  static bool IsSealed(const std::string& value);
  // A key for another use (hex), derived from the sealing key: the same on every node that holds
  // the same first key line, whatever the file's spacing.
  std::string Derive(const std::string& purpose) const;

  // "" stays "" (nothing set); an already sealed value is kept as it is.
  std::string Seal(const std::string& plain) const;
  // A value that is not sealed (written before secrets were encrypted) comes back as it is.
  // invalid_field for a value sealed with a key this box does not hold, or tampered with.
  Result<std::string> Open(const std::string& value) const;

 private:
  struct Key {
    std::string id;     // 8 hex characters
    std::string bytes;  // 32 bytes
  };
  explicit SecretBox(std::vector<Key> keys) : keys_(std::move(keys)) {}
  std::vector<Key> keys_;
};

}  // namespace helpdesk
