// ContactKeys: each contact's own key, kept apart from the event log so that destroying it
// erases the contact's personal data everywhere the log reaches (crypto-shredding).
//
// Keys live in a RocksDB database of their own (<data>/keys), each wrapped (sealed) with the
// node's secrets key, written with sync before any event sealed with it is appended. An erased
// contact keeps a marker instead of a key, so no new key is ever made for them;
// CompactAwayDestroyed then flushes and compacts the database so the wrapped key leaves its
// files.
//
// Thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

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
  // new contacts does not wait for a disk sync each. Ids never handed out (the process stops)
  // leave an unused key behind.
  Result<std::string> TakePrekeyedId(const std::function<std::string()>& new_id);
  static constexpr size_t kPrekeyed = 256;
  // The contact's key; null when there is none (never made, or erased).
  std::shared_ptr<const SecretBox> Find(const std::string& contact_id) const;
  // Destroys the contact's key for good (idempotent): it opens nothing from then on.
  Status Destroy(const std::string& contact_id);
  // Rewrites the database's files so destroyed keys leave the disk too. Slow (the whole
  // database): call it outside any lock the serving path takes.
  void CompactAwayDestroyed();
  // A consistent copy in `dir` (new), taken while keys are made and destroyed.
  Status Checkpoint(const std::string& dir) const;

 private:
  ContactKeys(std::unique_ptr<rocksdb::DB> db, std::shared_ptr<const SecretBox> wrap);
  // The stored entry: a key, the erased marker, or nothing. Caller holds mu_.
  Result<std::shared_ptr<const SecretBox>> LoadLocked(const std::string& contact_id,
                                                      bool* erased) const;
  void RememberLocked(const std::string& contact_id, std::shared_ptr<const SecretBox> key) const;

  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<const SecretBox> wrap_;
  mutable std::mutex mu_;
  // Ids whose keys are stored, not handed out yet, with their keys.
  std::deque<std::pair<std::string, std::shared_ptr<const SecretBox>>> prekeyed_;
  // Unwrapped keys recently used, most recent first (opening one costs a read and a decrypt).
  mutable std::list<std::string> lru_;
  mutable std::unordered_map<
      std::string, std::pair<std::shared_ptr<const SecretBox>, std::list<std::string>::iterator>>
      cache_;
};

}  // namespace helpdesk
