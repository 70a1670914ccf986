#include "adapters/embedded_log.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "adapters/envelope_scan.h"
#include "adapters/event_codec.h"
#include "adapters/rocks_checkpoint.h"
#include "adapters/rocks_compression.h"
#include "adapters/rocks_status.h"
#include "adapters/thread_name.h"

namespace helpdesk {
namespace {

std::string EventKey(uint64_t position) { return "e" + EncodeBigEndian64(position); }

std::string StreamPrefix(const std::string& stream) {
  std::string k = "s" + stream;
  k.push_back('\0');
  return k;
}

}  // namespace

Result<std::unique_ptr<EmbeddedLog>> EmbeddedLog::Open(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.IncreaseParallelism(2);
  // Bloom filters over whole keys: most appends name a stream that is not there yet, and the
  // writer asks for its first version (StreamVersion) rather than searching every file.
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  CompressColdLevelsOnly(options);
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return FromRocks(s, "cannot open the event log");
  std::unique_ptr<rocksdb::DB> db(raw);

  uint64_t last = 0;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev(EventKey(UINT64_MAX));
  if (it->Valid() && it->key().size() == 9 && it->key()[0] == 'e') {
    last = DecodeBigEndian64(it->key().data() + 1);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "cannot read the event log");
  it.reset();
  spdlog::info("event log opened at {} with {} events", dir, last);
  return std::unique_ptr<EmbeddedLog>(new EmbeddedLog(std::move(db), last));
}

EmbeddedLog::EmbeddedLog(std::unique_ptr<rocksdb::DB> db, uint64_t last_position)
    : db_(std::move(db)), head_(last_position) {
  writer_ = std::thread([this] {
    NameThisThread("log-writer");
    queue_.RunWriter([this](auto& group) { CommitGroup(group); });
  });
}

EmbeddedLog::~EmbeddedLog() {
  queue_.Stop();
  writer_.join();
  db_->FlushWAL(true).PermitUncheckedError();
}

std::future<Result<AppendResult>> EmbeddedLog::AppendAsync(AppendRequest request) {
  return queue_.Push(std::move(request), Head());
}

void EmbeddedLog::Reset() { queue_.Reset(); }

Result<uint64_t> EmbeddedLog::StreamVersion(const std::string& stream,
                                            std::unique_ptr<rocksdb::Iterator>& index) {
  auto it = stream_versions_.find(stream);
  if (it != stream_versions_.end()) return it->second;
  const std::string prefix = StreamPrefix(stream);
  // Versions start at 1 and have no gaps: a stream without a version 1 is not there, which the
  // bloom filters answer without a search. (The group writes nothing before its end: this read
  // and the group's iterator see the same log.)
  std::string position;
  const rocksdb::Status first =
      db_->Get(rocksdb::ReadOptions(), prefix + EncodeBigEndian64(1), &position);
  uint64_t version = 0;
  if (first.ok()) {
    if (!index) index.reset(db_->NewIterator(rocksdb::ReadOptions()));
    rocksdb::Iterator* const iter = index.get();
    iter->SeekForPrev(prefix + EncodeBigEndian64(UINT64_MAX));
    if (iter->Valid() && iter->key().starts_with(prefix)) {
      version = DecodeBigEndian64(iter->key().data() + prefix.size());
    }
    if (!iter->status().ok()) return FromRocks(iter->status(), "cannot read the stream index");
  } else if (!first.IsNotFound()) {
    return FromRocks(first, "cannot read the stream index");
  }
  if (stream_versions_.size() >= kCachedStreams) stream_versions_.clear();
  stream_versions_[stream] = version;
  return version;
}

void EmbeddedLog::CommitGroup(std::deque<AppendQueue::Pending>& group) {
  rocksdb::WriteBatch& batch = batch_;
  batch.Clear();
  uint64_t next = head_ + 1;
  std::unordered_map<std::string, uint64_t> versions;  // tentative, for this group
  std::vector<std::pair<AppendQueue::Pending*, AppendResult>> accepted;
  std::vector<std::pair<std::string, std::string>> stream_entries;  // index key, position
  // Sees every group written before this one; this group's own versions are in `versions`.
  std::unique_ptr<rocksdb::Iterator> index;

  for (AppendQueue::Pending& p : group) {
    bool conflict = false;
    std::string conflict_message;
    for (const auto& [stream, expected] : p.request.expected_versions) {
      uint64_t current;
      if (auto v = versions.find(stream); v != versions.end()) {
        current = v->second;
      } else {
        auto stored = StreamVersion(stream, index);
        if (!stored.ok()) {
          p.done.set_value(stored.error());
          conflict = true;
          break;
        }
        current = stored.value();
      }
      if (current != expected) {
        conflict = true;
        p.done.set_value(Error{ErrorCode::kVersionConflict,
                               "stream " + stream + " is at version " + std::to_string(current) +
                                   ", expected " + std::to_string(expected)});
        break;
      }
    }
    if (conflict) continue;
    AppendResult result;
    for (NewEvent& e : p.request.events) {
      auto v = versions.find(e.stream);
      uint64_t version;
      if (v != versions.end()) {
        version = ++v->second;
      } else {
        auto stored = StreamVersion(e.stream, index);
        version = (stored.ok() ? stored.value() : 0) + 1;
        versions[e.stream] = version;
      }
      RecordedEvent r;
      r.position = next++;
      r.stream_version = version;
      r.event = std::move(e);
      batch.Put(EventKey(r.position), EncodeEnvelope(r));
      stream_entries.emplace_back(StreamPrefix(r.event.stream) + EncodeBigEndian64(version),
                                  EncodeBigEndian64(r.position));
      result.recorded.push_back(std::move(r));
    }
    result.token = ConsistencyToken::Single(next - 1);
    accepted.emplace_back(&p, std::move(result));
  }
  if (accepted.empty()) return;
  // The stream index after the events, in key order: RocksDB's memtable inserts a run of
  // ascending keys from where the last one went, while alternating between the events' keys and
  // the index's searched its skip list again for every key.
  std::sort(stream_entries.begin(), stream_entries.end());
  for (const auto& [key, position] : stream_entries) batch.Put(key, position);

  rocksdb::WriteOptions wo;
  wo.sync = true;
  const rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) {
    spdlog::error("event log write failed: {}", s.ToString());
    stream_versions_.clear();  // the cache may hold versions that never became durable
    // Appends queued behind may depend on these: refuse them until the owner re-read its state.
    std::deque<AppendQueue::Pending> failed;
    for (auto& [p, result] : accepted) failed.push_back(std::move(*p));
    queue_.Break(failed, FromRocks(s, "event log write failed"));
    return;
  }
  if (stream_versions_.size() + versions.size() > kCachedStreams) stream_versions_.clear();
  for (const auto& [stream, v] : versions) stream_versions_[stream] = v;
  {
    std::lock_guard<std::mutex> lock(head_mu_);
    head_ = next - 1;
  }
  head_cv_.notify_all();
  for (auto& [p, result] : accepted) p->done.set_value(std::move(result));
}

ConsistencyToken EmbeddedLog::Head() const {
  std::lock_guard<std::mutex> lock(head_mu_);
  return ConsistencyToken::Single(head_);
}

Result<std::vector<RecordedEvent>> EmbeddedLog::Read(const ConsistencyToken& after, size_t max,
                                                     std::chrono::milliseconds wait) {
  auto stored = ReadStored(after, max, wait);
  if (!stored.ok()) return stored.error();
  std::vector<RecordedEvent> out;
  out.reserve(stored.value().size());
  for (const StoredEvent& e : stored.value()) {
    auto decoded = DecodeEnvelopeFast(e.envelope);
    if (!decoded.ok()) return decoded.error();
    out.push_back(std::move(decoded).value());
  }
  return out;
}

Result<std::vector<StoredEvent>> EmbeddedLog::ReadStored(const ConsistencyToken& after, size_t max,
                                                         std::chrono::milliseconds wait) {
  const uint64_t from = after.At(0);
  uint64_t head;
  {
    std::unique_lock<std::mutex> lock(head_mu_);
    head_cv_.wait_for(lock, wait, [&] { return head_ > from; });
    head = head_;
  }
  std::vector<StoredEvent> out;
  if (head <= from) return out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(EventKey(from + 1)); it->Valid() && out.size() < max; it->Next()) {
    if (it->key().size() != 9 || it->key()[0] != 'e') break;
    const uint64_t position = DecodeBigEndian64(it->key().data() + 1);
    if (position > head) break;  // not yet acknowledged
    // With room after it, so a parser that reads past the end (envelope_scan.h) need not copy.
    std::string envelope;
    envelope.reserve(it->value().size() + EnvelopeScanner::kPadding);
    envelope.append(it->value().data(), it->value().size());
    out.push_back(StoredEvent{0, position, std::move(envelope)});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "cannot read the event log");
  return out;
}

Result<std::vector<RecordedEvent>> EmbeddedLog::ReadStream(const std::string& stream) {
  const std::string prefix = StreamPrefix(stream);
  std::vector<RecordedEvent> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string bytes;
    const uint64_t pos = DecodeBigEndian64(it->value().data());
    auto s = db_->Get(rocksdb::ReadOptions(), EventKey(pos), &bytes);
    if (!s.ok()) return FromRocks(s, "cannot read an event");
    auto decoded = DecodeEnvelopeFast(bytes);
    if (!decoded.ok()) return decoded.error();
    out.push_back(std::move(decoded).value());
  }
  return out;
}

Status EmbeddedLog::Checkpoint(const std::string& dir) const {
  return CheckpointRocksDb(*db_, dir);
}

}  // namespace helpdesk
