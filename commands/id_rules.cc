#include "commands/id_rules.h"

#include <cctype>

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

}  // namespace helpdesk
