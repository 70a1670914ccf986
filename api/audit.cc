#include "api/audit.h"

#include "adapters/event_chain.h"

namespace helpdesk {

Result<nlohmann::json> VerifyChains(EventLog& log, const std::optional<std::string>& stream) {
  ChainVerifier verifier;
  ConsistencyToken at;
  for (;;) {
    auto batch = log.Read(at, 4096, std::chrono::milliseconds(100));
    if (!batch.ok()) return batch.error();
    for (const RecordedEvent& r : batch.value()) {
      at.Set(r.partition, r.position);
      if (!stream || r.event.stream == *stream) verifier.Add(r);
    }
    if (!batch.value().empty()) continue;
    auto done = log.IsCaughtUp(at);
    if (!done.ok()) return done.error();
    if (done.value()) break;
  }
  const auto& broken = verifier.first_break();
  return nlohmann::json{{"ok", !broken},
                        {"checked", verifier.checked()},
                        {"streams", verifier.streams()},
                        {"first_break", broken ? broken->ToJson() : nlohmann::json(nullptr)}};
}

}  // namespace helpdesk
