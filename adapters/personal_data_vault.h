// PersonalDataVault: seals the personal fields of events (domain/personal_data.h) with their
// contact's own key before they are hashed and appended, and opens them for readers. A sealed
// value is "pii:<contact id>:" followed by the SecretBox form (AES-256-GCM), so it names the key
// it needs. Once the contact's key is destroyed (ContactKeys::Destroy) it opens as "[erased]".
//
// Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "adapters/contact_keys.h"
#include "adapters/event_log.h"
#include "domain/event.h"
#include "domain/result.h"

namespace helpdesk {

class PersonalDataVault {
 public:
  explicit PersonalDataVault(ContactKeys& keys) : keys_(keys) {}

  static bool IsSealed(const std::string& value);

  // Seals `e`'s personal fields with `contact_id`'s key (made at the first use).
  // invalid_transition for an erased contact: nothing more is written about them.
  Status Seal(NewEvent& e, const std::string& contact_id) const;
  // Opens `e`'s sealed fields in place: the plain value, or "[erased]". Its hash is kept (it is
  // over the sealed form, which the audit chain verifies). kLogUnavailable (e half opened: drop
  // it) when a key cannot be looked up (ContactKeys::Find).
  Status Open(NewEvent& e) const;
  // An id for a new contact whose key is ready (ContactKeys::TakePrekeyedId).
  Result<std::string> NewContactId(
      const std::function<std::string()>& new_id,
      const std::function<bool(const std::string&)>& accept = nullptr) const {
    return keys_.TakePrekeyedId(new_id, accept);
  }
  // Destroys the contact's key: their sealed values are "[erased]" from then on.
  Status Erase(const std::string& contact_id) const { return keys_.Destroy(contact_id); }
  // Rewrites the key store's files so erased keys leave the disk (slow: outside locks).
  void CompactAwayErased() const { keys_.CompactAwayDestroyed(); }

 private:
  ContactKeys& keys_;
};

// An EventLog whose reads come back opened (appends and positions pass through): what the
// write model, the projections and the feeds read. The audit chain is verified on the log
// itself.
class OpeningLog final : public EventLog {
 public:
  OpeningLog(EventLog& inner, const PersonalDataVault& vault) : inner_(inner), vault_(vault) {}

  std::future<Result<AppendResult>> AppendAsync(AppendRequest request) override {
    return inner_.AppendAsync(std::move(request));
  }
  void Reset() override { inner_.Reset(); }
  void HoldAppends() override { inner_.HoldAppends(); }
  void ReleaseAppends() override { inner_.ReleaseAppends(); }
  Result<std::vector<RecordedEvent>> Read(const ConsistencyToken& after, size_t max,
                                          std::chrono::milliseconds wait) override;
  // As stored: sealed.
  Result<std::vector<StoredEvent>> ReadStored(const ConsistencyToken& after, size_t max,
                                              std::chrono::milliseconds wait) override {
    return inner_.ReadStored(after, max, wait);
  }
  ConsistencyToken Head() const override { return inner_.Head(); }
  Result<bool> IsCaughtUp(const ConsistencyToken& token) override {
    return inner_.IsCaughtUp(token);
  }
  Result<bool> Reaches(const ConsistencyToken& token) override { return inner_.Reaches(token); }

 private:
  EventLog& inner_;
  const PersonalDataVault& vault_;
};

}  // namespace helpdesk
