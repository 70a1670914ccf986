// bench_report_rebuild: a rebuild of the reports alone (ReportRebuild: what a new report
// definition costs), against the floor of any replay in the same run (scripts/bench-reports).
//
//   bench_report_rebuild --mark-stale --data DIR
//       marks the views under DIR/views as counted by an older report definition, so the next
//       start of helpdeskd on DIR rebuilds the reports (scripts/bench-report-rebuild).
//
//   bench_report_rebuild --data DIR [--no-floor]
//       1. floor: reads and decodes every event of the embedded log under DIR/log with
//          DecodeEnvelope (nlohmann), on one thread, as every replay of the views begins;
//       2. the rebuild: counts the reports again from the same log and writes them, as a
//          hand-over would, into a copy-free fresh views folder (cells, marks, definition).
// Prints events/s for each.
#include "projections/report_rebuild.h"

#include <rocksdb/write_batch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "adapters/embedded_log.h"
#include "projections/view_store.h"

namespace {

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "bench_report_rebuild: %s\n", what.c_str());
  return 1;
}

// Reads and decodes every event of `log` on this thread; events/s.
helpdesk::Result<double> DecodeEveryEvent(helpdesk::EventLog& log) {
  const auto start = std::chrono::steady_clock::now();
  helpdesk::ConsistencyToken at;
  size_t events = 0;
  for (;;) {
    auto batch = log.Read(at, 4096, std::chrono::milliseconds(0));
    if (!batch.ok()) return batch.error();
    if (batch.value().empty()) break;
    for (const auto& r : batch.value()) at.Set(r.partition, r.position);
    events += batch.value().size();
  }
  const double seconds = Since(start);
  const double rate = static_cast<double>(events) / seconds;
  std::printf("floor, decode only (nlohmann, one thread): %zu events in %.2f s, %.0f events/s\n",
              events, seconds, rate);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data;
  bool with_floor = true, mark_stale = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--data" && i + 1 < argc) data = argv[++i];
    if (flag == "--no-floor") with_floor = false;  // for profiling the rebuild alone
    if (flag == "--mark-stale") mark_stale = true;
  }
  if (data.empty()) return Fail("usage: bench_report_rebuild --data DIR");
  if (mark_stale) {
    auto views = helpdesk::ViewStore::Open(data + "/views");
    if (!views.ok()) return Fail(views.error().message);
    const std::string older = std::to_string(helpdesk::kReportDefinitionVersion - 1);
    auto s = views.value()->db()->Put(rocksdb::WriteOptions(),
                                      helpdesk::ViewStore::ReportDefinitionKey(), older);
    if (!s.ok()) return Fail(s.ToString());
    std::printf("views marked as counted with report definition %s\n", older.c_str());
    return 0;
  }
  auto log = helpdesk::EmbeddedLog::Open(data + "/log");
  if (!log.ok()) return Fail(log.error().message);

  // 1. The floor: decoding every event as a replay of the views does.
  std::optional<double> floor;
  if (with_floor) {
    auto decoded = DecodeEveryEvent(*log.value());
    if (!decoded.ok()) return Fail(decoded.error().message);
    floor = decoded.value();
  }

  // 2. The rebuild of the reports, written out.
  const std::string views_dir = data + "/report-rebuild-views";
  std::filesystem::remove_all(views_dir);
  auto views = helpdesk::ViewStore::Open(views_dir);
  if (!views.ok()) return Fail(views.error().message);
  const auto start = std::chrono::steady_clock::now();
  helpdesk::ReportRebuild rebuild(*log.value());
  const helpdesk::ConsistencyToken head = log.value()->Head();
  while (!rebuild.position().Covers(head)) {  // one pass on this log; the contract says loop
    helpdesk::Status advanced = rebuild.AdvanceTo(head);
    if (!advanced.ok()) return Fail(advanced.error().message);
  }
  const double counted = Since(start);
  const uint64_t conversations = rebuild.conversations();
  {
    helpdesk::ViewTxn txn(views.value()->db());
    rebuild.WriteInto(txn);
    const double written = Since(start);
    rocksdb::WriteBatch batch = txn.ToWriteBatch();
    const double batched = Since(start);
    helpdesk::Status committed = views.value()->Commit(batch, rebuild.position());
    if (!committed.ok()) return Fail(committed.error().message);
    std::printf("  into the step: %.2f s, its batch: %.2f s, its commit: %.2f s\n",
                written - counted, batched - written, Since(start) - batched);
  }
  const double seconds = Since(start);
  const double rate = static_cast<double>(rebuild.events_read()) / seconds;
  std::printf(
      "rebuild of the reports: %llu events (%llu conversations) in %.2f s (%.2f s counting), "
      "%.0f events/s",
      static_cast<unsigned long long>(rebuild.events_read()),
      static_cast<unsigned long long>(conversations), seconds, counted, rate);
  if (floor) std::printf(" = %.1fx the floor", rate / *floor);
  std::printf("\n");
  views.value().reset();
  std::filesystem::remove_all(views_dir);
  return 0;
}
