// EmbeddedLog: the event log in a RocksDB database of its own, for running on one machine with
// no broker. One partition; positions are 1, 2, 3… in append order.
//
// Layout: "e" + be64(position) -> envelope JSON; "s" + stream + "\0" + be64(version) ->
// be64(position). Durability: every commit is one WriteBatch written with sync=true; Append returns
// after it. Concurrency: appenders queue their requests; one writer thread takes everything queued,
// checks expected versions, and commits it all in one synced batch (group commit), so many
// concurrent commands share one fsync. A request that fails its version check is refused alone.
#pragma once

#include <rocksdb/write_batch.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "adapters/append_queue.h"
#include "adapters/event_log.h"

namespace rocksdb {
class DB;
class Iterator;
}  // namespace rocksdb

namespace helpdesk {

class EmbeddedLog final : public EventLog {
 public:
  // Opens (creating if needed) the log in directory `dir`.
  static Result<std::unique_ptr<EmbeddedLog>> Open(const std::string& dir);
  ~EmbeddedLog() override;

  EmbeddedLog(const EmbeddedLog&) = delete;
  EmbeddedLog& operator=(const EmbeddedLog&) = delete;

  std::future<Result<AppendResult>> AppendAsync(AppendRequest request) override;
  void Reset() override;
  void HoldAppends() override { queue_.Hold(); }
  void ReleaseAppends() override { queue_.Release(); }
  Result<std::vector<RecordedEvent>> Read(const ConsistencyToken& after, size_t max,
                                          std::chrono::milliseconds wait) override;
  Result<std::vector<StoredEvent>> ReadStored(const ConsistencyToken& after, size_t max,
                                              std::chrono::milliseconds wait) override;
  ConsistencyToken Head() const override;
  Result<bool> IsCaughtUp(const ConsistencyToken& token) override { return token.Covers(Head()); }

  // The events of one stream, oldest first (used by tools and tests).
  Result<std::vector<RecordedEvent>> ReadStream(const std::string& stream);
  // A consistent copy in `dir` (new): every event durable when it starts, taken while appending.
  Status Checkpoint(const std::string& dir) const;

 private:
  explicit EmbeddedLog(std::unique_ptr<rocksdb::DB> db, uint64_t last_position);
  void CommitGroup(std::deque<AppendQueue::Pending>& group);
  // Writer thread only. `index` is the group's iterator over the stream index, made at its
  // first use (one per group: making one per stream was a tenth of the lookup).
  Result<uint64_t> StreamVersion(const std::string& stream,
                                 std::unique_ptr<rocksdb::Iterator>& index);

  std::unique_ptr<rocksdb::DB> db_;

  AppendQueue queue_;

  // Durable end of the log; readers wait on head_cv_ for it to move.
  mutable std::mutex head_mu_;
  std::condition_variable head_cv_;
  uint64_t head_ = 0;

  // Writer-thread state: last stream versions seen (a cache of the "s" index), forgotten whole
  // past kCachedStreams: a desk's streams outgrow any memory, and most appends go to streams
  // written moments before.
  static constexpr size_t kCachedStreams = 1 << 18;
  std::unordered_map<std::string, uint64_t> stream_versions_;
  // Writer-thread state: the group's batch, its buffer kept from group to group (growing a new
  // one page-faulted at every group).
  rocksdb::WriteBatch batch_;

  std::thread writer_;
};

}  // namespace helpdesk
