// bench_replay_floor: the least any replay of a log into views costs on this machine, as a
// baseline for `helpdeskd rebuild` in the same run (scripts/bench-reports).
//
//   bench_replay_floor --data DIR
//       reads the embedded log under DIR/log twice and prints events/s for:
//       1. decode: read and decode every event (one thread), the projectors' input;
//       2. decode + one row: the same on a read-ahead thread, while a second thread writes one
//          view row per event (its payload under its stream and position, what a bare timeline
//          would hold) into fresh views under a temporary folder, committed with the offset in
//          batches of 2000, as the projection runner does. No projector logic at all.
// A replay that keeps every view (conversations, inboxes, messages, timeline, reports, …) does
// all of 2 and more (the projection runner also overlaps its commits on a third thread, which
// 2 does not need); 1 bounds any replay on one core.
#include <rocksdb/write_batch.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/embedded_log.h"
#include "adapters/rocks_status.h"
#include "projections/view_store.h"

namespace {

using helpdesk::ConsistencyToken;
using helpdesk::RecordedEvent;
constexpr size_t kBatch = 2000;

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "bench_replay_floor: %s\n", what.c_str());
  return 1;
}

// Reads the next batch after `at` (advancing it); empty at the end of the log.
helpdesk::Result<std::vector<RecordedEvent>> NextBatch(helpdesk::EventLog& log,
                                                       ConsistencyToken& at) {
  auto batch = log.Read(at, kBatch, std::chrono::milliseconds(0));
  if (!batch.ok()) return batch.error();
  for (const RecordedEvent& r : batch.value()) at.Set(r.partition, r.position);
  return batch;
}

// Decode every event on this thread.
int DecodeOnly(helpdesk::EventLog& log) {
  const auto start = std::chrono::steady_clock::now();
  ConsistencyToken at;
  size_t events = 0;
  for (;;) {
    auto batch = NextBatch(log, at);
    if (!batch.ok()) return Fail(batch.error().message);
    if (batch.value().empty()) break;
    events += batch.value().size();
  }
  const double seconds = Since(start);
  std::printf("floor 1, decode only: %zu events in %.1f s, %.0f events/s\n", events, seconds,
              static_cast<double>(events) / seconds);
  return 0;
}

// Decode on a read-ahead thread, write one row per event on this one.
int DecodeAndWriteOneRow(helpdesk::EventLog& log, const std::string& views_dir) {
  auto views = helpdesk::ViewStore::Open(views_dir);
  if (!views.ok()) return Fail(views.error().message);
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<RecordedEvent>> ready;
  bool done = false;  // the reader reached the end of the log, or failed
  bool stop = false;  // the writer failed: the reader stops
  std::string read_error;
  const auto start = std::chrono::steady_clock::now();
  std::thread reader([&] {
    ConsistencyToken at;
    for (;;) {
      auto batch = NextBatch(log, at);
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return stop || ready.size() < 3; });
      if (stop || !batch.ok() || batch.value().empty()) {
        if (!batch.ok()) read_error = batch.error().message;
        done = true;
        cv.notify_all();
        return;
      }
      ready.push_back(std::move(batch).value());
      cv.notify_all();
    }
  });
  ConsistencyToken offset;
  size_t events = 0;
  for (;;) {
    std::vector<RecordedEvent> batch;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return done || !ready.empty(); });
      if (ready.empty()) break;
      batch = std::move(ready.front());
      ready.pop_front();
      cv.notify_all();
    }
    rocksdb::WriteBatch rows;
    for (const RecordedEvent& r : batch) {
      std::string key = "tl/" + r.event.stream + "/" + helpdesk::EncodeBigEndian64(r.position);
      rows.Put(key, r.event.data.dump()).PermitUncheckedError();
      offset.Set(r.partition, r.position);
    }
    helpdesk::Status committed = views.value()->Commit(rows, offset);
    if (!committed.ok()) {
      {
        std::lock_guard<std::mutex> lock(mu);
        stop = true;
      }
      cv.notify_all();
      reader.join();
      return Fail(committed.error().message);
    }
    events += batch.size();
  }
  reader.join();
  if (!read_error.empty()) return Fail(read_error);
  const double seconds = Since(start);
  std::printf(
      "floor 2, decode + one row per event (2 threads): %zu events in %.1f s, %.0f events/s\n",
      events, seconds, static_cast<double>(events) / seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || std::string(argv[1]) != "--data") {
    return Fail("usage: bench_replay_floor --data DIR");
  }
  const std::string data = argv[2];
  auto log = helpdesk::EmbeddedLog::Open(data + "/log");
  if (!log.ok()) return Fail(log.error().message);
  if (DecodeOnly(*log.value()) != 0) return 1;
  const std::string scratch = data + "/floor-views";
  std::filesystem::remove_all(scratch);
  const int status = DecodeAndWriteOneRow(*log.value(), scratch);
  std::filesystem::remove_all(scratch);
  return status;
}
