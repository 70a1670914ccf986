#include "adapters/rocks_state_store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "adapters/rocks_checkpoint.h"
#include "adapters/rocks_compression.h"
#include "adapters/rocks_status.h"

namespace helpdesk {
namespace {

// Outside the records' key spaces (which the write model names, one letter and a slash).
constexpr const char* kVersionKey = "meta/version";
constexpr const char* kOffsetKey = "meta/offset";

rocksdb::Options StoreOptions(size_t block_cache_bytes) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.IncreaseParallelism(2);
  // Commits are small and frequent; a smaller memtable keeps the store's share of memory low.
  options.write_buffer_size = 16 << 20;
  // Written out a megabyte at a time, not in one burst at the end of a file: a burst would
  // queue the event log's own syncs behind it on the same disk.
  options.bytes_per_sync = 1 << 20;
  // Most reads of a busy desk's new streams miss (a new contact's id, phone and e-mail): a bloom
  // filter over the memtable's keys answers those without walking its skip list, which took
  // 7.7% of an import's CPU (docs/performance.md). 1.6 MiB for the 16 MiB memtable.
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.1;
  CompressColdLevelsOnly(options);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace

Result<std::unique_ptr<RocksStateStore>> RocksStateStore::Open(const std::string& dir,
                                                               int format_version,
                                                               size_t block_cache_bytes) {
  const std::string wanted = std::to_string(format_version);
  for (int attempt = 0; attempt < 2; ++attempt) {
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(StoreOptions(block_cache_bytes), dir, &raw);
    if (!s.ok()) return FromRocks(s, "cannot open the write model's store");
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string version, offset;
    s = db->Get(rocksdb::ReadOptions(), kVersionKey, &version);
    if (s.IsNotFound()) {
      s = db->Put(rocksdb::WriteOptions(), kVersionKey, wanted);
      if (!s.ok()) return FromRocks(s, "cannot write the write model's store");
      return std::unique_ptr<RocksStateStore>(new RocksStateStore(std::move(db), {}));
    }
    if (!s.ok()) return FromRocks(s, "cannot read the write model's store");
    if (version == wanted) {
      s = db->Get(rocksdb::ReadOptions(), kOffsetKey, &offset);
      if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "cannot read the write model's store");
      auto token = offset.empty() ? ConsistencyToken() : ConsistencyToken::Parse(offset);
      if (!token) return Error{ErrorCode::kInternal, "the write model's store has a bad offset"};
      return std::unique_ptr<RocksStateStore>(new RocksStateStore(std::move(db), *token));
    }
    spdlog::info("write model store is format {}, this build writes {}: rebuilding it from the log",
                 version, wanted);
    db.reset();
    Status destroyed = Destroy(dir);
    if (!destroyed.ok()) return destroyed.error();
  }
  return Error{ErrorCode::kInternal, "cannot reset the write model's store"};
}

Status RocksStateStore::Destroy(const std::string& dir) {
  rocksdb::Status s = rocksdb::DestroyDB(dir, StoreOptions(1 << 20));
  if (!s.ok()) return FromRocks(s, "cannot remove the write model's store");
  return Status::Ok();
}

RocksStateStore::RocksStateStore(std::unique_ptr<rocksdb::DB> db, ConsistencyToken offset)
    : db_(std::move(db)), offset_(std::move(offset)) {}
RocksStateStore::~RocksStateStore() {
  // Without a write-ahead log, what is only in the memtable would be read again from the log at
  // the next start: write it out now so a clean stop leaves nothing to catch up.
  rocksdb::Status s = db_->Flush(rocksdb::FlushOptions());
  if (!s.ok()) spdlog::warn("write model store: last flush failed: {}", s.ToString());
}

Result<std::optional<std::string>> RocksStateStore::Get(const std::string& key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "cannot read the write model's store");
  return std::optional<std::string>(std::move(value));
}

Status RocksStateStore::Scan(
    const std::string& prefix,
    const std::function<void(std::string_view, std::string_view)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    visit(std::string_view(it->key().data(), it->key().size()),
          std::string_view(it->value().data(), it->value().size()));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "cannot read the write model's store");
  return Status::Ok();
}

ConsistencyToken RocksStateStore::Offset() const {
  std::lock_guard<std::mutex> lock(mu_);
  return offset_;
}

Status RocksStateStore::Commit(const std::vector<Write>& writes, const ConsistencyToken& offset) {
  // Sized once: grown by doubling, the batch copied a flush's records over and over.
  size_t bytes = 64;
  for (const auto& [key, value] : writes) bytes += key.size() + (value ? value->size() : 0) + 16;
  rocksdb::WriteBatch batch(bytes);
  for (const auto& [key, value] : writes) {
    rocksdb::Status s = value ? batch.Put(key, *value) : batch.Delete(key);
    if (!s.ok()) return FromRocks(s, "cannot write the write model's store");
  }
  rocksdb::Status s = batch.Put(kOffsetKey, offset.ToString());
  // No write-ahead log: the event log is the durable record. After a crash the store holds a
  // prefix of its commits (its one memtable reaches disk in order), each with its offset, and
  // the write model reads the rest from the log again.
  rocksdb::WriteOptions no_wal;
  no_wal.disableWAL = true;
  if (s.ok()) s = db_->Write(no_wal, &batch);
  if (!s.ok()) return FromRocks(s, "cannot write the write model's store");
  std::lock_guard<std::mutex> lock(mu_);
  offset_ = offset;
  return Status::Ok();
}

Status RocksStateStore::Checkpoint(const std::string& dir) const {
  return CheckpointRocksDb(*db_, dir);
}

}  // namespace helpdesk
