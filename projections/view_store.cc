#include "projections/view_store.h"

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

constexpr const char* kVersionKey = "meta/version";
constexpr const char* kOffsetKey = "meta/offset";
constexpr const char* kReportDefinitionKey = "meta/report_definition";

rocksdb::Options ViewOptions() {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.IncreaseParallelism(2);
  // Many reads of a busy desk's views miss (the mark of a contact whose conversation came first,
  // read for every new contact): a bloom filter over the memtable's keys answers those without
  // walking its skip list. 1.3 MiB for the default 64 MiB memtable.
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  CompressColdLevelsOnly(options);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(256 << 20);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace

Result<std::unique_ptr<ViewStore>> ViewStore::Open(const std::string& dir) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(ViewOptions(), dir, &raw);
    if (!s.ok()) return FromRocks(s, "cannot open the views");
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string version, reports;
    s = db->Get(rocksdb::ReadOptions(), kVersionKey, &version);
    if (s.IsNotFound()) {
      rocksdb::WriteBatch batch;
      batch.Put(kVersionKey, std::to_string(kViewsVersion));
      batch.Put(kReportDefinitionKey, std::to_string(kReportDefinitionVersion));
      s = db->Write(rocksdb::WriteOptions(), &batch);
      if (!s.ok()) return FromRocks(s, "cannot write the views");
      return std::unique_ptr<ViewStore>(new ViewStore(std::move(db)));
    }
    if (!s.ok()) return FromRocks(s, "cannot read the views");
    s = db->Get(rocksdb::ReadOptions(), kReportDefinitionKey, &reports);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "cannot read the views");
    if (version == std::to_string(kViewsVersion)) {
      if (reports != std::to_string(kReportDefinitionVersion)) {
        spdlog::info(
            "report cells counted with definition {}, this build has {}: they are "
            "rebuilt while the views serve",
            reports.empty() ? "none" : reports, kReportDefinitionVersion);
      }
      return std::unique_ptr<ViewStore>(new ViewStore(std::move(db)));
    }
    spdlog::info("views are version {}, this build has {}: rebuilding from the log", version,
                 kViewsVersion);
    db.reset();
    Status destroyed = Destroy(dir);
    if (!destroyed.ok()) return destroyed.error();
  }
  return Error{ErrorCode::kInternal, "cannot reset the views"};
}

Status ViewStore::Destroy(const std::string& dir) {
  rocksdb::Status s = rocksdb::DestroyDB(dir, ViewOptions());
  if (!s.ok()) return FromRocks(s, "cannot remove the views");
  return Status::Ok();
}

ViewStore::ViewStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}
ViewStore::~ViewStore() = default;

std::optional<std::string> ViewStore::Get(const std::string& key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) throw ViewReadError("cannot read the views: " + s.ToString());
  return value;
}

std::optional<nlohmann::json> ViewStore::GetObject(const std::string& key) const {
  auto stored = Get(key);
  if (!stored) return std::nullopt;
  nlohmann::json object = nlohmann::json::parse(*stored, nullptr, false);
  if (!object.is_object()) return std::nullopt;
  return object;
}

std::unique_ptr<rocksdb::Iterator> ViewStore::NewIterator() const {
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(rocksdb::ReadOptions()));
}

ConsistencyToken ViewStore::StoredOffset() const {
  auto v = Get(kOffsetKey);
  if (!v) return ConsistencyToken();
  return ConsistencyToken::Parse(*v).value_or(ConsistencyToken());
}

int ViewStore::StoredReportDefinition() const {
  auto v = Get(kReportDefinitionKey);
  if (!v) return 0;
  try {
    return std::stoi(*v);
  } catch (const std::exception&) {
    return 0;
  }
}

const char* ViewStore::ReportDefinitionKey() { return kReportDefinitionKey; }

Status ViewStore::MarkReportsRebuilding() {
  rocksdb::WriteOptions synced;
  synced.sync = true;
  rocksdb::Status s = db_->Put(synced, kReportDefinitionKey, "0");
  if (!s.ok()) return FromRocks(s, "cannot write the views");
  return Status::Ok();
}

Status ViewStore::Commit(rocksdb::WriteBatch& batch, const ConsistencyToken& offset) {
  rocksdb::Status s = batch.Put(kOffsetKey, offset.ToString());
  // Without RocksDB's write-ahead log: the views are the log's to rebuild. After a crash they
  // open as the files last written out hold them, a prefix of these batches whose offset came
  // with them, and the projector goes on from there. A clean close writes everything out.
  rocksdb::WriteOptions no_wal;
  no_wal.disableWAL = true;
  if (s.ok()) s = db_->Write(no_wal, &batch);
  if (!s.ok()) return FromRocks(s, "cannot write the views");
  return Status::Ok();
}

std::string ViewStore::DumpForComparison() const {
  std::string out;
  auto it = NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out += it->key().ToString();
    out += '=';
    out += it->value().ToString();
    out += '\n';
  }
  return out;
}

Status ViewStore::Checkpoint(const std::string& dir) const { return CheckpointRocksDb(*db_, dir); }

}  // namespace helpdesk
