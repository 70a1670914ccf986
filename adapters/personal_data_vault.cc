#include "adapters/personal_data_vault.h"

#include <spdlog/spdlog.h>

#include "domain/personal_data.h"

namespace helpdesk {
namespace {

constexpr const char* kPrefix = "pii:";
// Put before the plain text when sealing: a text that itself looks sealed ("enc:v1:…", which
// SecretBox would keep as it is) is sealed all the same.
constexpr const char* kPlainMark = "p:";

}  // namespace

bool PersonalDataVault::IsSealed(const std::string& value) { return value.starts_with(kPrefix); }

Status PersonalDataVault::Seal(NewEvent& e, const std::string& contact_id) const {
  const auto& fields = PersonalFields(e.type);
  if (fields.empty() || !e.data.is_object()) return Status::Ok();
  std::shared_ptr<const SecretBox> key;
  for (const std::string& field : fields) {
    auto it = e.data.find(field);
    if (it == e.data.end() || !it->is_string()) continue;
    const std::string& plain = it->get_ref<const std::string&>();
    if (plain.empty()) continue;
    if (!key) {
      auto made = keys_.KeyFor(contact_id);
      if (!made.ok()) return made.error();
      key = made.value();
    }
    *it = kPrefix + contact_id + ":" + key->Seal(kPlainMark + plain);
  }
  return Status::Ok();
}

void PersonalDataVault::Open(NewEvent& e) const {
  const auto& fields = PersonalFields(e.type);
  if (fields.empty() || !e.data.is_object()) return;
  for (const std::string& field : fields) {
    auto it = e.data.find(field);
    if (it == e.data.end() || !it->is_string()) continue;
    const std::string& sealed = it->get_ref<const std::string&>();
    if (!IsSealed(sealed)) continue;  // written before sealing, or empty
    const size_t colon = sealed.find(':', std::string(kPrefix).size());
    std::string plain = kErased;
    if (colon != std::string::npos) {
      const std::string contact_id = sealed.substr(4, colon - 4);
      if (auto key = keys_.Find(contact_id)) {
        auto opened = key->Open(sealed.substr(colon + 1));
        if (opened.ok() && opened.value().starts_with(kPlainMark)) {
          plain = opened.value().substr(std::string(kPlainMark).size());
        } else {
          spdlog::error("event {}: a sealed {} does not open", e.id, field);
        }
      }
    }
    *it = std::move(plain);
  }
}

Result<std::vector<RecordedEvent>> OpeningLog::Read(const ConsistencyToken& after, size_t max,
                                                    std::chrono::milliseconds wait) {
  auto batch = inner_.Read(after, max, wait);
  if (batch.ok()) {
    for (RecordedEvent& r : batch.value()) vault_.Open(r.event);
  }
  return batch;
}

}  // namespace helpdesk
