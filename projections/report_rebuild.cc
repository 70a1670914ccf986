#include "projections/report_rebuild.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "adapters/event_codec.h"
#include "projections/conversation_view.h"
#include "projections/view_keys.h"
#include "projections/view_store.h"

namespace helpdesk {
namespace {
constexpr size_t kRebuildBatch = 4096;
constexpr std::string_view kConversationStreams = "conversation/";
}  // namespace

// One stored event into `*out`. An envelope simdjson refuses (nesting deeper than it allows,
// say) is read again as every other reader of the log reads it; one nothing can read is
// skipped and logged, as the projection runner skips it: it counts for nothing.
void ScanOne(EnvelopeScanner& scanner, const StoredEvent& e, ScannedEvent* out) {
  Status scanned = Status::Ok();
  try {
    // Only the conversations' payloads are decoded.
    scanned = scanner.Scan(e.envelope, kConversationStreams, out);
  } catch (const std::exception& ex) {
    scanned = Error{ErrorCode::kInternal, ex.what(), ""};
  }
  if (!scanned.ok()) {
    auto decoded = DecodeEnvelope(e.envelope);
    if (decoded.ok()) {
      out->recorded = std::move(decoded).value();
      out->event.reset();
      if (out->recorded.event.stream.starts_with(kConversationStreams)) {
        out->event = events::Decode(out->recorded.event);
      }
    } else {
      spdlog::error("event {}:{} skipped by the rebuild of the reports: {}", e.partition,
                    e.position, scanned.error().message);
      out->recorded = RecordedEvent();
      out->event.reset();
    }
  }
  out->recorded.partition = e.partition;
  out->recorded.position = e.position;  // the log's word (Kafka's offsets)
}

// The pipeline of one AdvanceTo: a reader thread reads batches of stored events, scanning
// threads turn each into envelopes and typed payloads (the largest share of the work, spread
// over the cores), and the calling thread counts the batches in log order.
class ReportRebuild::Pipeline {
 public:
  Pipeline(EventLog& log, const std::atomic<bool>* stop, ConsistencyToken from,
           ConsistencyToken limit)
      : log_(log), stop_(stop), at_(std::move(from)), limit_(std::move(limit)) {
    threads_.emplace_back([this] { Read(); });
    for (int i = 0; i < kScanningThreads; ++i) threads_.emplace_back([this] { Scan(); });
  }
  ~Pipeline() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  // The next batch in log order; false at the end (or on an error: status()).
  bool Next(std::vector<ScannedEvent>* batch) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return scanned_.count(next_) || (read_all_ && next_ == read_); });
    auto it = scanned_.find(next_);
    if (it == scanned_.end()) return false;
    *batch = std::move(it->second);
    scanned_.erase(it);
    ++next_;
    cv_.notify_all();
    return true;
  }
  // A counted batch, for reuse: its events' strings keep their buffers.
  void Recycle(std::vector<ScannedEvent> batch) {
    std::lock_guard<std::mutex> lock(mu_);
    if (spare_.size() < kAhead) spare_.push_back(std::move(batch));
  }
  Status status() {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  static constexpr int kScanningThreads = 2;
  static constexpr size_t kAhead = 6;  // batches read but not counted yet, at most

  void Read() {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return quit_ || read_ - next_ < kAhead; });
        if (quit_) return;
      }
      Result<std::vector<StoredEvent>> stored =
          Stopped() ? Result<std::vector<StoredEvent>>(
                          Error{ErrorCode::kInternal, "the rebuild of the reports stopped", ""})
                    : log_.ReadStored(at_, kRebuildBatch, std::chrono::milliseconds(100));
      std::vector<StoredEvent> batch;
      if (stored.ok()) {
        for (StoredEvent& e : stored.value()) {
          // Past the limit on its partition (or on one the limit does not name): for later.
          if (e.position > limit_.At(e.partition) || e.position <= at_.At(e.partition)) continue;
          at_.Set(e.partition, e.position);
          batch.push_back(std::move(e));
        }
      }
      std::lock_guard<std::mutex> lock(mu_);
      // The end of this pass: the log has nothing more now, or nothing more up to the limit
      // (on a partitioned log the events past it come back at the next read: the caller's next
      // pass takes them).
      if (!stored.ok() || batch.empty()) {
        if (!stored.ok()) status_ = stored.error();
        read_all_ = true;
        cv_.notify_all();
        return;
      }
      to_scan_.emplace_back(read_++, std::move(batch));
      cv_.notify_all();
    }
  }

  std::vector<ScannedEvent> TakeSpare() {
    std::lock_guard<std::mutex> lock(mu_);
    if (spare_.empty()) return {};
    std::vector<ScannedEvent> batch = std::move(spare_.back());
    spare_.pop_back();
    return batch;
  }

  void Scan() {
    EnvelopeScanner scanner;
    for (;;) {
      std::pair<uint64_t, std::vector<StoredEvent>> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return quit_ || !to_scan_.empty(); });
        if (quit_) return;
        job = std::move(to_scan_.front());
        to_scan_.pop_front();
      }
      std::vector<ScannedEvent> out = TakeSpare();
      out.resize(job.second.size());
      for (size_t i = 0; i < out.size(); ++i) ScanOne(scanner, job.second[i], &out[i]);
      std::lock_guard<std::mutex> lock(mu_);
      scanned_.emplace(job.first, std::move(out));
      cv_.notify_all();
    }
  }

  bool Stopped() const { return stop_ && *stop_; }

  EventLog& log_;
  const std::atomic<bool>* stop_;
  ConsistencyToken at_;  // the reader's
  const ConsistencyToken limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t read_ = 0;      // batches read (their sequence numbers are 0 … read_-1)
  uint64_t next_ = 0;      // the next batch to count
  bool read_all_ = false;  // the reader has ended this pass
  bool quit_ = false;
  Status status_ = Status::Ok();
  std::deque<std::pair<uint64_t, std::vector<StoredEvent>>> to_scan_;
  std::map<uint64_t, std::vector<ScannedEvent>> scanned_;
  std::vector<std::vector<ScannedEvent>> spare_;
  std::vector<std::thread> threads_;
};

Status ReportRebuild::AdvanceTo(const ConsistencyToken& limit) {
  Pipeline pipeline(log_, stop_, position_, limit);
  std::vector<ScannedEvent> batch;
  while (pipeline.Next(&batch)) {
    for (const ScannedEvent& e : batch) {
      position_.Set(e.recorded.partition, e.recorded.position);
      ++events_read_;
      if (e.recorded.event.stream.starts_with(kConversationStreams)) Count(e);
    }
    pipeline.Recycle(std::move(batch));
    batch.clear();
  }
  return pipeline.status();
}

void ReportRebuild::Count(const ScannedEvent& scanned) {
  const NewEvent& e = scanned.recorded.event;
  std::string id = e.stream.substr(kConversationStreams.size());
  auto it = conversations_.find(id);
  if (it == conversations_.end()) {
    // As the conversation projector: a conversation starts at its opening.
    if (e.type != ev::kConversationOpened) return;
    it = conversations_.emplace(std::move(id), Conversation()).first;
  }
  Conversation& c = it->second;
  try {
    const ConversationState before = c.state;
    Evolve(c.state, e, scanned.event, scanned.recorded.stream_version);
    if (auto measure = MeasureConversationEvent(before, c.state, e, scanned.event, c.marks)) {
      cells_.Add(*measure);
    }
  } catch (const std::exception& ex) {
    // As the projection runner: an event that breaks the rules' code is skipped and logged.
    spdlog::error("event {} ({} in {}) skipped by the rebuild of the reports: {}",
                  scanned.recorded.position, e.type, e.stream, ex.what());
  }
  // Gone from every view, as the projector leaves it: a later event does not bring it back.
  if (c.state.deleted) conversations_.erase(it);
}

void ReportRebuild::WriteInto(ViewTxn& txn) {
  for (const char* prefix : {view_keys::kReportCell, view_keys::kRebuiltReportMarks}) {
    for (const std::string& key : txn.KeysWithPrefix(prefix)) txn.Delete(key);
  }
  cells_.Flush(txn);
  for (const auto& [id, c] : conversations_) {
    // No key reads as no marks: a conversation the reports have not counted yet costs nothing.
    if (c.marks.opened_counted || c.marks.first_response_counted || c.marks.cycle_started_at) {
      txn.Put(view_keys::kRebuiltReportMarks + id, EncodeReportMarks(c.marks));
    }
  }
  txn.Put(ViewStore::ReportDefinitionKey(), std::to_string(kReportDefinitionVersion));
  spdlog::info("reports rebuilt with definition {} up to {}: {} events read",
               kReportDefinitionVersion, position_.ToString(), events_read_);
}

}  // namespace helpdesk
