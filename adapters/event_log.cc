#include "adapters/event_log.h"

#include "adapters/event_codec.h"

namespace helpdesk {

Result<std::vector<StoredEvent>> EventLog::ReadStored(const ConsistencyToken& after, size_t max,
                                                      std::chrono::milliseconds wait) {
  auto batch = Read(after, max, wait);
  if (!batch.ok()) return batch.error();
  std::vector<StoredEvent> out;
  out.reserve(batch.value().size());
  for (const RecordedEvent& r : batch.value()) {
    out.push_back(StoredEvent{r.partition, r.position, EncodeEnvelope(r)});
  }
  return out;
}

Status ReadToEnd(EventLog& log, ConsistencyToken from,
                 const std::function<void(const RecordedEvent&)>& visit,
                 std::chrono::milliseconds patience) {
  auto last_progress = std::chrono::steady_clock::now();
  for (;;) {
    auto batch = log.Read(from, 4096, std::chrono::milliseconds(100));
    if (!batch.ok()) return batch.error();
    for (const RecordedEvent& r : batch.value()) {
      from.Set(r.partition, r.position);
      visit(r);
    }
    if (!batch.value().empty()) {
      last_progress = std::chrono::steady_clock::now();
      continue;
    }
    auto done = log.IsCaughtUp(from);
    if (!done.ok()) return done.error();
    if (done.value()) return Status::Ok();
    if (std::chrono::steady_clock::now() - last_progress > patience) {
      return Error{ErrorCode::kLogUnavailable, "cannot read the event log to its end"};
    }
  }
}

}  // namespace helpdesk
