#include "adapters/personal_data_vault.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <string>

#include "domain/personal_data.h"

namespace helpdesk {
namespace {

constexpr const char* kPrefix = "pii:";
// Put before the plain text when sealing: a text that itself looks sealed ("enc:v1:…", which
// SecretBox would keep as it is) is sealed all the same.
constexpr const char* kPlainMark = "p:";
// Put before an object's JSON text when sealing (a contact's social profiles, attributes): it
// opens back into the object.
constexpr const char* kJsonMark = "j:";

}  // namespace

bool PersonalDataVault::IsSealed(const std::string& value) { return value.starts_with(kPrefix); }

Status PersonalDataVault::Seal(NewEvent& e, const std::string& contact_id) const {
  const auto& fields = PersonalFields(e.type);
  if (fields.empty() || !e.data.is_object()) return Status::Ok();
  std::shared_ptr<const SecretBox> key;
  for (const std::string& field : fields) {
    auto it = e.data.find(field);
    if (it == e.data.end()) continue;
    std::string plain;
    if (it->is_string() && !it->get_ref<const std::string&>().empty()) {
      plain = kPlainMark + it->get_ref<const std::string&>();
    } else if (it->is_object() && !it->empty()) {
      plain = kJsonMark + it->dump();
    } else {
      continue;
    }
    if (!key) {
      auto made = keys_.KeyFor(contact_id);
      if (!made.ok()) return made.error();
      key = made.value();
    }
    *it = kPrefix + contact_id + ":" + key->Seal(plain);
  }
  return Status::Ok();
}

Status PersonalDataVault::Open(NewEvent& e) const {
  const auto& fields = PersonalFields(e.type);
  if (fields.empty() || !e.data.is_object()) return Status::Ok();
  // An event's fields are sealed with one contact's key: looked up once, not once per field
  // (each lookup takes the keys' lock, which the command path takes too).
  std::optional<std::string> key_owner;  // whose key `key` is (null: an erased contact's)
  std::shared_ptr<const SecretBox> key;
  for (const std::string& field : fields) {
    auto it = e.data.find(field);
    if (it == e.data.end() || !it->is_string()) continue;
    const std::string& sealed = it->get_ref<const std::string&>();
    if (!IsSealed(sealed)) continue;  // written before sealing, or empty
    const size_t colon = sealed.find(':', std::string(kPrefix).size());
    nlohmann::json plain = kErased;
    if (colon != std::string::npos) {
      const std::string_view contact_id = std::string_view(sealed).substr(4, colon - 4);
      if (!key_owner || contact_id != *key_owner) {
        key_owner = std::string(contact_id);
        auto found = keys_.Find(*key_owner);
        if (!found.ok()) return found.error();
        key = found.value();
      }
      if (key) {
        auto opened = key->Open(sealed.substr(colon + 1));
        const std::string_view text = opened.ok() ? opened.value() : std::string_view();
        if (opened.ok() && text.starts_with(kPlainMark)) {
          plain = std::string(text.substr(std::string_view(kPlainMark).size()));
        } else if (opened.ok() && text.starts_with(kJsonMark)) {
          plain = nlohmann::json::parse(text.substr(std::string_view(kJsonMark).size()), nullptr,
                                        false);
          if (plain.is_discarded()) plain = nlohmann::json::object();
        } else {
          spdlog::error("event {}: a sealed {} does not open", e.id, field);
        }
      }
    }
    *it = std::move(plain);
  }
  return Status::Ok();
}

Result<std::vector<RecordedEvent>> OpeningLog::Read(const ConsistencyToken& after, size_t max,
                                                    std::chrono::milliseconds wait) {
  auto batch = inner_.Read(after, max, wait);
  if (batch.ok()) {
    // A key out of reach fails the whole read (the caller reads again): never "[erased]" for a
    // live contact.
    for (RecordedEvent& r : batch.value()) {
      if (Status opened = vault_.Open(r.event); !opened.ok()) return opened.error();
    }
  }
  return batch;
}

}  // namespace helpdesk
