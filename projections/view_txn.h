// ViewTxn: the updates of one projection step. Projectors read their own not-yet-committed
// writes (several events of a conversation in one step) and the step commits as one RocksDB
// batch holding only each key's final value: a conversation touched by eight events of a step
// is written once.
//
// Pending writes sit in a hash map (point reads are the hot path of a replay); keys under
// kScannedPrefixes are also kept in order, for the prefix scans projectors do with pending
// writes. Written by one thread; once complete it may be read (as the step below the next one)
// while its batch is being committed. While a step applies, the database changes only by the
// commit of the step below (prefix scans rely on it: they keep one iterator for the step).
#include "projections/view_keys.h"
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace helpdesk {

class ViewTxn {
 public:
  // Prefixes KeysWithPrefix and FirstKeyWithPrefix may be asked for: a contact's conversations,
  // a funnel stage's entries.
  static constexpr const char* kScannedPrefixes[] = {view_keys::kContactConversations,
                                                     view_keys::kBoardEntry};

  // `below`: the previous step, if its batch may not be in `db` yet (its commit runs while this
  // step applies). Reads see it between this step's writes and the database. Not owned.
  explicit ViewTxn(rocksdb::DB* db, const ViewTxn* below = nullptr) : db_(db), below_(below) {}

  // The step below is in the database now: stop looking at it. This step is complete then: it
  // also lets go of its database iterator.
  void ForgetBelow() {
    below_ = nullptr;
    iterator_.reset();
  }

  // The value as the views would hold it with this step applied.
  std::optional<std::string> Get(const std::string& key);
  void Put(std::string key, std::string value);
  // A Put of a key the caller knows is absent with this step applied (an index key the previous
  // state did not have). If the step deletes it again, neither write reaches the database.
  void Insert(std::string key, std::string value);
  void Delete(const std::string& key);
  // Keys under `prefix` with this step applied, in order. Quick for prefixes under
  // kScannedPrefixes; any other prefix also walks every pending write (for rare events, such as
  // deleting a conversation).
  std::vector<std::string> KeysWithPrefix(const std::string& prefix);
  // The first key under `prefix` (one of kScannedPrefixes) at or after `start` with this step
  // applied; nullopt when there is none. Starting where the last first key was spares walking
  // over the deletions before it.
  std::optional<std::string> FirstKeyAtOrAfter(const std::string& prefix, const std::string& start);
  // Adds `delta` to the counter at `key` (8-byte big-endian).
  void AddToCounter(const std::string& key, int64_t delta);

  // The step's writes, in key order: each key's final value, or its deletion.
  rocksdb::WriteBatch ToWriteBatch() const;
  // The same, added to `batch` (one kept from commit to commit keeps its buffer: growing a new
  // one page-faulted its way to several megabytes at every step).
  void WriteTo(rocksdb::WriteBatch& batch) const;

 private:
  struct Pending {
    std::optional<std::string> value;  // nullopt: deleted
    bool absent_before = false;        // the database does not have the key
  };
  Pending& Touch(std::string key);

  rocksdb::DB* db_;
  const ViewTxn* below_;
  // Made at the first prefix scan and kept for the step (making one costs far more than a seek).
  // Its snapshot may predate the step below's commit; that step's writes are read from it.
  std::unique_ptr<rocksdb::Iterator> iterator_;
  std::unordered_map<std::string, Pending> pending_;
  std::set<std::string> scanned_;  // pending keys under kScannedPrefixes
};

// The JSON value stored at `key` as `txn` sees it: null when absent, discarded when unreadable
// (callers check is_object()).
nlohmann::json LoadJson(ViewTxn& txn, const std::string& key);

}  // namespace helpdesk
