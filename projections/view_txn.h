// ViewTxn: the updates of one projection step, gathered in a WriteBatchWithIndex so projectors
// read their own not-yet-committed writes (two events of a conversation in one step).
// Single-threaded: owned by the projection runner's thread.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include <memory>
#include <optional>
#include <string>

namespace helpdesk {

class ViewTxn {
 public:
  explicit ViewTxn(rocksdb::DB* db)
      : db_(db), batch_(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true) {}

  std::optional<std::string> Get(const std::string& key) {
    std::string value;
    auto s = batch_.GetFromBatchAndDB(db_, rocksdb::ReadOptions(), key, &value);
    if (!s.ok()) return std::nullopt;
    return value;
  }
  void Put(const std::string& key, const std::string& value) {
    batch_.Put(key, value).PermitUncheckedError();
  }
  void Delete(const std::string& key) { batch_.Delete(key).PermitUncheckedError(); }
  // Iterates the views as they would be with this batch applied.
  std::unique_ptr<rocksdb::Iterator> NewIterator() {
    return std::unique_ptr<rocksdb::Iterator>(
        batch_.NewIteratorWithBase(db_->NewIterator(rocksdb::ReadOptions())));
  }
  // Adds `delta` to the counter at `key` (8-byte big-endian).
  void AddToCounter(const std::string& key, int64_t delta);

  rocksdb::WriteBatchWithIndex& batch() { return batch_; }
  void Clear() { batch_.Clear(); }

 private:
  rocksdb::DB* db_;
  rocksdb::WriteBatchWithIndex batch_;
};

}  // namespace helpdesk
