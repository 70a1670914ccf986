#include "api/audit.h"

#include "adapters/event_chain.h"

namespace helpdesk {

Result<nlohmann::json> VerifyChains(EventLog& log, const std::optional<std::string>& stream) {
  ChainVerifier verifier;
  Status read = ReadToEnd(log, ConsistencyToken(), [&](const RecordedEvent& r) {
    if (!stream || r.event.stream == *stream) verifier.Add(r);
  });
  if (!read.ok()) return read.error();
  const auto& broken = verifier.first_break();
  return nlohmann::json{{"ok", !broken},
                        {"checked", verifier.checked()},
                        {"streams", verifier.streams()},
                        {"first_break", broken ? broken->ToJson() : nlohmann::json(nullptr)}};
}

}  // namespace helpdesk
