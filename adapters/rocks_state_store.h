// RocksStateStore: the StateStore in a RocksDB database of its own (<data>/state).
//
// It records the format version of the records it holds; opened by a build that writes another
// version, it is emptied (and logged) rather than misread: the write model then rebuilds it from
// the log. Writes skip RocksDB's write-ahead log: the event log is the durable record, and a
// store that loses its last commits in a crash catches up from the older offset it still holds.
#pragma once

#include <memory>
#include <mutex>

#include "adapters/state_store.h"

namespace rocksdb {
class Cache;
class DB;
}  // namespace rocksdb

namespace helpdesk {

class RocksStateStore final : public StateStore {
 public:
  // Opens (or creates) the store in `dir` for records of `format_version`, with a RocksDB block
  // cache of `block_cache_bytes`.
  static Result<std::unique_ptr<RocksStateStore>> Open(const std::string& dir, int format_version,
                                                       size_t block_cache_bytes);
  // Removes the store so the next Open starts empty (helpdeskd rebuild).
  static Status Destroy(const std::string& dir);
  ~RocksStateStore() override;

  Result<std::optional<std::string>> Get(const std::string& key) const override;
  Status Scan(const std::string& prefix,
              const std::function<void(std::string_view, std::string_view)>& visit) const override;
  ConsistencyToken Offset() const override;
  Status Commit(const std::vector<Write>& writes, const ConsistencyToken& offset) override;
  // A consistent copy in `dir` (new), offset included, taken while the store serves.
  Status Checkpoint(const std::string& dir) const;

 private:
  RocksStateStore(std::unique_ptr<rocksdb::DB> db, ConsistencyToken offset);

  std::unique_ptr<rocksdb::DB> db_;
  mutable std::mutex mu_;  // guards offset_
  ConsistencyToken offset_;
};

}  // namespace helpdesk
