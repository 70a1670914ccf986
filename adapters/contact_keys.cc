#include "adapters/contact_keys.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "adapters/rocks_checkpoint.h"
#include "adapters/rocks_status.h"

namespace helpdesk {
namespace {

constexpr const char* kErasedMarker = "erased";
constexpr size_t kCachedKeys = 100000;

}  // namespace

Result<std::unique_ptr<ContactKeys>> ContactKeys::Open(const std::string& dir,
                                                       std::shared_ptr<const SecretBox> wrap) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return FromRocks(s, "cannot open the contacts' keys");
  return std::unique_ptr<ContactKeys>(
      new ContactKeys(std::unique_ptr<rocksdb::DB>(raw), std::move(wrap)));
}

ContactKeys::ContactKeys(std::unique_ptr<rocksdb::DB> db, std::shared_ptr<const SecretBox> wrap)
    : db_(std::move(db)), wrap_(std::move(wrap)) {}

ContactKeys::~ContactKeys() = default;

Result<std::shared_ptr<const SecretBox>> ContactKeys::LoadLocked(const std::string& contact_id,
                                                                 bool* erased) const {
  *erased = false;
  if (auto it = cache_.find(contact_id); it != cache_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.second);
    return it->second.first;
  }
  std::string stored;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), contact_id, &stored);
  if (s.IsNotFound()) return std::shared_ptr<const SecretBox>();
  if (!s.ok()) return FromRocks(s, "cannot read a contact's key");
  if (stored == kErasedMarker) {
    *erased = true;
    return std::shared_ptr<const SecretBox>();
  }
  auto text = wrap_->Open(stored);
  if (!text.ok()) return Error{ErrorCode::kInternal, "a contact's key does not open"};
  auto box = SecretBox::FromKeyText(text.value());
  if (!box.ok()) return Error{ErrorCode::kInternal, "a contact's key is malformed"};
  auto key = std::make_shared<const SecretBox>(std::move(box).value());
  RememberLocked(contact_id, key);
  return std::shared_ptr<const SecretBox>(key);
}

void ContactKeys::RememberLocked(const std::string& contact_id,
                                 std::shared_ptr<const SecretBox> key) const {
  if (auto it = cache_.find(contact_id); it != cache_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.second);
    it->second.first = std::move(key);
    return;
  }
  if (cache_.size() >= kCachedKeys) {
    cache_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(contact_id);
  cache_[contact_id] = {std::move(key), lru_.begin()};
}

Result<std::shared_ptr<const SecretBox>> ContactKeys::KeyFor(const std::string& contact_id) {
  std::lock_guard<std::mutex> lock(mu_);
  bool erased = false;
  auto existing = LoadLocked(contact_id, &erased);
  if (!existing.ok()) return existing.error();
  if (erased) return InvalidTransition("contact " + contact_id + " was erased");
  if (existing.value()) return existing;
  const std::string text = SecretBox::NewKeyText();
  rocksdb::WriteOptions sync;
  sync.sync = true;  // before any event sealed with it reaches the log
  rocksdb::Status s = db_->Put(sync, contact_id, wrap_->Seal(text));
  if (!s.ok()) return FromRocks(s, "cannot store a contact's key");
  auto key = std::make_shared<const SecretBox>(SecretBox::FromKeyText(text).value());
  RememberLocked(contact_id, key);
  return std::shared_ptr<const SecretBox>(key);
}

Result<std::string> ContactKeys::TakePrekeyedId(const std::function<std::string()>& new_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (prekeyed_.empty()) {
    rocksdb::WriteBatch batch;
    decltype(prekeyed_) made;
    for (size_t i = 0; i < kPrekeyed; ++i) {
      const std::string text = SecretBox::NewKeyText();
      auto box = SecretBox::FromKeyText(text);
      if (!box.ok()) return Error{ErrorCode::kInternal, "a new contact key is malformed"};
      made.emplace_back(new_id(), std::make_shared<const SecretBox>(std::move(box).value()));
      rocksdb::Status s = batch.Put(made.back().first, wrap_->Seal(text));
      if (!s.ok()) return FromRocks(s, "cannot store contacts' keys");
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    rocksdb::Status s = db_->Write(sync, &batch);
    if (!s.ok()) return FromRocks(s, "cannot store contacts' keys");
    prekeyed_ = std::move(made);
  }
  auto [id, key] = std::move(prekeyed_.front());
  prekeyed_.pop_front();
  // The contact's first event is sealed with it next: kept at hand, not read back and unwrapped.
  RememberLocked(id, std::move(key));
  return id;
}

std::shared_ptr<const SecretBox> ContactKeys::Find(const std::string& contact_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  bool erased = false;
  auto key = LoadLocked(contact_id, &erased);
  if (!key.ok()) {
    spdlog::error("contact {}: {}", contact_id, key.error().message);
    return nullptr;
  }
  return key.value();
}

Status ContactKeys::Destroy(const std::string& contact_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = cache_.find(contact_id); it != cache_.end()) {
    lru_.erase(it->second.second);
    cache_.erase(it);
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  rocksdb::Status s = db_->Put(sync, contact_id, kErasedMarker);
  if (!s.ok()) return FromRocks(s, "cannot erase a contact's key");
  return Status::Ok();
}

void ContactKeys::CompactAwayDestroyed() {
  // RocksDB is thread-safe: no lock, so reads of other keys go on meanwhile.
  rocksdb::Status s = db_->Flush(rocksdb::FlushOptions());
  if (s.ok()) s = db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr);
  if (!s.ok()) spdlog::warn("compacting the contacts' keys failed: {}", s.ToString());
}

Status ContactKeys::Checkpoint(const std::string& dir) const {
  return CheckpointRocksDb(*db_, dir);
}

}  // namespace helpdesk
