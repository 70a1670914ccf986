#include "adapters/contact_keys.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "adapters/random_ids.h"
#include "adapters/rocks_checkpoint.h"
#include "adapters/rocks_status.h"

namespace helpdesk {
namespace {

constexpr const char* kErasedMarker = "erased";
constexpr size_t kCachedKeys = 100000;
// Where the share's reader stands; no contact id starts with a control character.
constexpr const char* kBookmarkKey = "\x01shared-bookmark";

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

ContactKeys::~ContactKeys() {
  // A batch being made in the background writes to db_: it ends first.
  if (refill_.valid()) refill_.wait();
}

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

void ContactKeys::ForgetLocked(const std::string& contact_id) const {
  if (auto it = cache_.find(contact_id); it != cache_.end()) {
    lru_.erase(it->second.second);
    cache_.erase(it);
  }
}

Result<std::shared_ptr<const SecretBox>> ContactKeys::Stored(const std::string& contact_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  bool erased = false;
  auto key = LoadLocked(contact_id, &erased);
  if (key.ok() && erased) return InvalidTransition("contact " + contact_id + " was erased");
  return key;
}

std::string ContactKeys::KeyIdOf(const std::string& wrapped) {
  return Sha256Hex(wrapped).substr(0, 32);
}

Result<std::shared_ptr<const SecretBox>> ContactKeys::SharedKeyFor(const std::string& contact_id) {
  // Another node may have made it and this one not read it yet: the share is asked first.
  auto known = Stored(contact_id);
  if (!known.ok() || known.value()) return known;
  if (Status s = share_->CatchUp(); !s.ok()) return s.error();
  known = Stored(contact_id);
  if (!known.ok() || known.value()) return known;
  const std::string wrapped = wrap_->Seal(SecretBox::NewKeyText());
  if (Status s = share_->Publish({SharedKey{contact_id, KeyIdOf(wrapped), wrapped}}); !s.ok()) {
    return s.error();
  }
  // Read back: the contact's first key in the share is theirs, this one or another node's
  // published at the same moment (which then withdraws this one).
  if (Status s = share_->CatchUp(); !s.ok()) return s.error();
  known = Stored(contact_id);
  if (!known.ok() || known.value()) return known;
  return Error{ErrorCode::kLogUnavailable,
               "contact " + contact_id + "'s new key did not come back from the key share"};
}

Result<std::shared_ptr<const SecretBox>> ContactKeys::KeyFor(const std::string& contact_id) {
  if (share_) return SharedKeyFor(contact_id);
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

std::vector<std::string> ContactKeys::DrawIds(const std::function<std::string()>& new_id) {
  std::vector<std::string> ids;
  ids.reserve(kPrekeyed);
  for (size_t i = 0; i < kPrekeyed; ++i) ids.push_back(new_id());
  return ids;
}

Status ContactKeys::MakePrekeyed(const std::vector<std::string>& ids) {
  // Made, stored and published outside the lock: readers of other keys go on meanwhile, and no
  // one else knows these ids before they are handed out.
  rocksdb::WriteBatch batch;
  std::vector<std::pair<std::string, std::shared_ptr<const SecretBox>>> made;
  std::vector<SharedKey> records;
  for (const std::string& id : ids) {
    const std::string text = SecretBox::NewKeyText();
    auto box = SecretBox::FromKeyText(text);
    if (!box.ok()) return Error{ErrorCode::kInternal, "a new contact key is malformed"};
    made.emplace_back(id, std::make_shared<const SecretBox>(std::move(box).value()));
    const std::string wrapped = wrap_->Seal(text);
    rocksdb::Status s = batch.Put(id, wrapped);
    if (!s.ok()) return FromRocks(s, "cannot store contacts' keys");
    if (share_) records.push_back(SharedKey{id, KeyIdOf(wrapped), wrapped});
  }
  // New ids: no other node makes keys for them, so they are theirs once published.
  if (share_) {
    if (Status published = share_->Publish(records); !published.ok()) return published;
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  rocksdb::Status s = db_->Write(sync, &batch);
  if (!s.ok()) return FromRocks(s, "cannot store contacts' keys");
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& entry : made) {
    // Cached here, off the taker's path: each contact's first event is sealed with its key
    // right after its id is taken, and the projections open it soon after.
    RememberLocked(entry.first, std::move(entry.second));
    prekeyed_.push_back(std::move(entry.first));
  }
  return Status::Ok();
}

bool ContactKeys::RefillUnderwayLocked() {
  if (!refill_.valid()) return false;
  if (refill_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return true;
  // Ended: its keys are in prekeyed_ already, or it failed (the next batch made in the
  // foreground answers the error to its caller).
  if (const Status made = refill_.get(); !made.ok()) {
    spdlog::warn("making contacts' keys ahead failed: {}", made.error().message);
  }
  return false;
}

Result<std::string> ContactKeys::TakePrekeyedId(
    const std::function<std::string()>& new_id,
    const std::function<bool(const std::string&)>& accept) {
  // Each round finds an accepted id, or waits for the batch under way, or makes one: a new
  // batch without an id `accept` takes ends the search (on a cluster, the ids of other nodes'
  // partitions wait for their callers).
  for (int round = 0;; ++round) {
    std::future<Status> underway;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto it = prekeyed_.begin(); it != prekeyed_.end(); ++it) {
        if (accept && !accept(*it)) continue;
        std::string id = std::move(*it);
        prekeyed_.erase(it);
        if (prekeyed_.size() < kRefillBelow && !RefillUnderwayLocked()) {
          // The ids are drawn here (`new_id` may read the caller's state); the keys and their
          // sync are the background's.
          refill_ = std::async(std::launch::async,
                               [this, ids = DrawIds(new_id)] { return MakePrekeyed(ids); });
        }
        return id;
      }
      if (RefillUnderwayLocked()) underway = std::move(refill_);
    }
    if (round == 2) {
      return Error{ErrorCode::kLogUnavailable, "no new contact id for this node's partitions"};
    }
    const Status made = underway.valid() ? underway.get() : MakePrekeyed(DrawIds(new_id));
    if (!made.ok()) return made.error();
  }
}

Result<std::shared_ptr<const SecretBox>> ContactKeys::Find(const std::string& contact_id) const {
  for (int attempt = 0;; ++attempt) {
    bool erased = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto key = LoadLocked(contact_id, &erased);
      if (!key.ok()) return key.error();
      if (key.value() || erased || !share_ || attempt == 1) return key.value();
    }
    // Sealed with a key made on another node and not read here yet: read the share to its end.
    if (Status s = share_->CatchUp(); !s.ok()) return s.error();
  }
}

Status ContactKeys::Destroy(const std::string& contact_id) {
  if (share_) {
    // Every node's copy goes: the erasure record first, then the key's own record is withdrawn
    // (a node that reads a key of an erased contact withdraws it too).
    if (Status s = share_->CatchUp(); !s.ok()) return s;
    std::vector<SharedKey> records{
        SharedKey{contact_id, SharedKey::kErased, std::string(SharedKey::kErased)}};
    std::string stored;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), contact_id, &stored);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "cannot read a contact's key");
    if (s.ok() && stored != kErasedMarker) {
      records.push_back(SharedKey{contact_id, KeyIdOf(stored), std::nullopt});
    }
    if (Status published = share_->Publish(records); !published.ok()) return published;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ForgetLocked(contact_id);
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

Status ContactKeys::ApplyShared(const std::vector<SharedKey>& records, const std::string& bookmark,
                                const Withdraw& withdraw, bool* destroyed) {
  *destroyed = false;
  std::vector<SharedKey> withdrawn;
  // All under the lock: a Destroy or a new batch of keys in between could otherwise be undone.
  // Withdrawals are rare (two nodes making a key at once, or a key for an erased contact).
  {
    std::lock_guard<std::mutex> lock(mu_);
    rocksdb::WriteBatch batch;
    // Evicted once the batch is stored.
    std::vector<std::string> erased_now;
    // What this batch stores, so a later record in it sees an earlier one.
    std::unordered_map<std::string, std::string> written;
    for (const SharedKey& r : records) {
      if (!r.wrapped) continue;  // a withdrawal: nothing to keep
      std::string stored;
      bool has = false;
      if (auto it = written.find(r.contact_id); it != written.end()) {
        stored = it->second;
        has = true;
      } else {
        rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), r.contact_id, &stored);
        if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "cannot read a contact's key");
        has = s.ok();
      }
      if (r.key_id == SharedKey::kErased) {
        if (has && stored == kErasedMarker) continue;
        if (has) withdrawn.push_back(SharedKey{r.contact_id, KeyIdOf(stored), std::nullopt});
        written[r.contact_id] = kErasedMarker;
        if (rocksdb::Status s = batch.Put(r.contact_id, kErasedMarker); !s.ok()) {
          return FromRocks(s, "cannot erase a contact's key");
        }
        erased_now.push_back(r.contact_id);
        continue;
      }
      if (has && stored == *r.wrapped) continue;  // this node's own, read back
      if (has) {
        // The contact has a key (an earlier one), or was erased: this one leaves the share.
        withdrawn.push_back(SharedKey{r.contact_id, r.key_id, std::nullopt});
        continue;
      }
      written[r.contact_id] = *r.wrapped;
      if (rocksdb::Status s = batch.Put(r.contact_id, *r.wrapped); !s.ok()) {
        return FromRocks(s, "cannot store a contact's key");
      }
    }
    if (rocksdb::Status s = batch.Put(kBookmarkKey, bookmark); !s.ok()) {
      return FromRocks(s, "cannot store the key share's bookmark");
    }
    if (!withdrawn.empty()) {
      if (Status sent = withdraw(withdrawn); !sent.ok()) return sent;
    }
    // Not synced: after a crash the share is read again from the last bookmark that made it.
    if (rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch); !s.ok()) {
      return FromRocks(s, "cannot store shared keys");
    }
    for (const std::string& id : erased_now) ForgetLocked(id);
    *destroyed = !erased_now.empty();
  }
  return Status::Ok();
}

Result<std::string> ContactKeys::SharedBookmark() const {
  std::string bookmark;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), kBookmarkKey, &bookmark);
  if (s.IsNotFound()) return std::string();
  if (!s.ok()) return FromRocks(s, "cannot read the key share's bookmark");
  return bookmark;
}

Status ContactKeys::Checkpoint(const std::string& dir) const {
  return CheckpointRocksDb(*db_, dir);
}

}  // namespace helpdesk
