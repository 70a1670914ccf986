#include "adapters/pseudonyms.h"

#include "adapters/random_ids.h"
#include "domain/personal_data.h"

namespace helpdesk {

std::string Pseudonymizer::Of(const std::string& value) const {
  if (value.empty() || value == kErased) return value;
  return "anon:" + HmacSha256Hex(key_, value).substr(0, 16);
}

void Pseudonymizer::Apply(NewEvent& e) const {
  if (!e.data.is_object()) return;
  auto replace = [&](const std::string& field) {
    auto it = e.data.find(field);
    if (it == e.data.end()) return;
    if (it->is_string()) {
      *it = Of(it->get<std::string>());
    } else if (it->is_object()) {
      for (auto& value : *it) value = value.is_null() ? value : nlohmann::json(Of(value.dump()));
    }
  };
  for (const std::string& field : PersonalFields(e.type)) replace(field);
  if (e.type == ev::kNoteAdded) replace("text");
}

}  // namespace helpdesk
