// ContactKeys: each contact's own key, kept apart from the event log so that destroying it
// erases the contact's personal data everywhere the log reaches (crypto-shredding).
//
// Keys live in a RocksDB database of their own (<data>/keys), each wrapped (sealed) with the
// node's secrets key, written with sync before any event sealed with it is appended. An erased
// contact keeps a marker instead of a key, so no new key is ever made for them;
// CompactAwayDestroyed then flushes and compacts the database so the wrapped key leaves its
// files.
//
// On a cluster the keys are also shared (adapters/key_share.h): a key made here is published
// before any event sealed with it is appended, keys made on other nodes arrive through
// ApplyShared, and a key missing here is looked for in the share before it is made or given up.
//
// Thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/key_share.h"
#include "adapters/secret_box.h"
#include "domain/result.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace helpdesk {

class ContactKeys {
 public:
  // Opens (or creates) the keys in `dir`; `wrap` seals them at rest.
  static Result<std::unique_ptr<ContactKeys>> Open(const std::string& dir,
                                                   std::shared_ptr<const SecretBox> wrap);
  ~ContactKeys();

  // The contact's key, made (and durably stored) at the first call. invalid_transition once the
  // contact is erased.
  Result<std::shared_ptr<const SecretBox>> KeyFor(const std::string& contact_id);
  // An id for a new contact whose key is made and stored already: keys are made ahead in
  // batches of kPrekeyed under ids from `new_id`, with one synced write per batch, so a burst of
  // new contacts does not wait for a disk sync each. Once fewer than kRefillBelow are left, the
  // next batch is made in the background (its ids drawn here, by the caller), so a steady burst
  // waits for no sync at all: the batch under way has three quarters of a batch of takes to be
  // made in, time enough on a busy machine (with half a batch, an import waited for it at every
  // other batch). Ids never handed out (the process stops) leave an unused key behind. `accept`
  // (may be null): only an id it accepts is handed out (on a cluster: one placed on the caller's
  // partition); the others wait for a caller that does. kLogUnavailable when a new batch holds none
  // it accepts.
  Result<std::string> TakePrekeyedId(
      const std::function<std::string()>& new_id,
      const std::function<bool(const std::string&)>& accept = nullptr);
  static constexpr size_t kPrekeyed = 1024;
  static constexpr size_t kRefillBelow = kPrekeyed * 3 / 4;
  // The contact's key; null when there is none (never made, or erased). On a cluster, a key not
  // read here yet is looked for in the share: kLogUnavailable when it cannot be read to its end
  // (never a null that would show a live contact as erased).
  Result<std::shared_ptr<const SecretBox>> Find(const std::string& contact_id) const;
  // Destroys the contact's key for good (idempotent): it opens nothing from then on.
  Status Destroy(const std::string& contact_id);
  // Rewrites the database's files so destroyed keys leave the disk too. Slow (the whole
  // database): call it outside any lock the serving path takes.
  void CompactAwayDestroyed();
  // A consistent copy in `dir` (new), taken while keys are made and destroyed.
  Status Checkpoint(const std::string& dir) const;

  // On a cluster: keys are shared through `share` (not owned; it outlives this). Set once,
  // before the keys are used.
  void ShareThrough(KeyShare* share) { share_ = share; }
  // Applies records read from the share, in its order, and stores `bookmark` (where the share's
  // reader stands) with them in one write. The first key of a contact wins. Records that should
  // leave the share (a later key of a contact who has one, any key of an erased contact) go to
  // `withdraw` as tombstones first: if it fails, nothing is stored, and the same records are
  // applied again later. Sets `*destroyed` when a key was destroyed: compact the store
  // (CompactAwayDestroyed) when it suits.
  using Withdraw = std::function<Status(const std::vector<SharedKey>&)>;
  Status ApplyShared(const std::vector<SharedKey>& records, const std::string& bookmark,
                     const Withdraw& withdraw, bool* destroyed);
  // The bookmark ApplyShared last stored; "" before any.
  Result<std::string> SharedBookmark() const;
  // The id a wrapped key is published under: a digest of it, so any node can name the record.
  static std::string KeyIdOf(const std::string& wrapped);

 private:
  ContactKeys(std::unique_ptr<rocksdb::DB> db, std::shared_ptr<const SecretBox> wrap);
  // The stored entry: a key, the erased marker, or nothing. Caller holds mu_.
  Result<std::shared_ptr<const SecretBox>> LoadLocked(const std::string& contact_id,
                                                      bool* erased) const;
  void RememberLocked(const std::string& contact_id, std::shared_ptr<const SecretBox> key) const;
  // Drops the contact's unwrapped key from the cache (it was destroyed). Caller holds mu_.
  void ForgetLocked(const std::string& contact_id) const;
  // The key stored here: null when none; invalid_transition once erased.
  Result<std::shared_ptr<const SecretBox>> Stored(const std::string& contact_id) const;
  // KeyFor on a cluster: the share's key if it has one, else one made here and published.
  Result<std::shared_ptr<const SecretBox>> SharedKeyFor(const std::string& contact_id);
  // Keys for `ids` (new), stored with one synced write (and published, on a cluster), then
  // added to prekeyed_ and the cache. Takes mu_ only to add them.
  Status MakePrekeyed(const std::vector<std::string>& ids);
  // Whether a batch is being made in the background; one that ended is collected (a failure
  // is logged: the foreground's next batch answers it). Caller holds mu_.
  bool RefillUnderwayLocked();
  // kPrekeyed ids from `new_id`.
  static std::vector<std::string> DrawIds(const std::function<std::string()>& new_id);

  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<const SecretBox> wrap_;
  KeyShare* share_ = nullptr;
  mutable std::mutex mu_;
  // Ids whose keys are stored, not handed out yet (their keys are cached when made).
  std::deque<std::string> prekeyed_;
  // The batch being made in the background, if any: its outcome, taken by the caller that next
  // finds prekeyed_ empty, or waited for at destruction.
  std::future<Status> refill_;
  // Unwrapped keys recently used, most recent first (opening one costs a read and a decrypt).
  mutable std::list<std::string> lru_;
  mutable std::unordered_map<
      std::string, std::pair<std::shared_ptr<const SecretBox>, std::list<std::string>::iterator>>
      cache_;
};

}  // namespace helpdesk
