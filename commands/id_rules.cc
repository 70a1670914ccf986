#include "commands/id_rules.h"

#include <cctype>

#include "adapters/random_ids.h"

namespace helpdesk {

bool IsValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      return false;
  }
  return true;
}

Result<std::string> ChooseId(const std::optional<std::string>& requested, IdSource& ids) {
  if (!requested) return ids.NewId();
  if (!IsValidId(*requested))
    return InvalidField("id", "must be 1 to 64 letters, digits, '_', '-' or '.'");
  return *requested;
}

std::string IssueBearerToken(std::string& token_sha256) {
  if (!token_sha256.empty()) return "";
  std::string token = NewSecretToken();
  token_sha256 = Sha256Hex(token);
  return token;
}

}  // namespace helpdesk
