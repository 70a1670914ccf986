#include "api/audit.h"

#include "adapters/event_chain.h"

namespace helpdesk {

Result<nlohmann::json> VerifyChains(EventLog& log, const std::optional<std::string>& stream,
                                    bool dense_positions) {
  // One stream's events are not the whole log: their positions have gaps.
  ChainVerifier verifier(dense_positions && !stream);
  Status read = ReadToEnd(log, ConsistencyToken(), [&](const RecordedEvent& r) {
    if (!stream || r.event.stream == *stream) verifier.Add(r);
  });
  if (!read.ok()) return read.error();
  if (stream && verifier.checked() == 0) {
    // A misspelt name would otherwise read as a clean chain.
    return Error{ErrorCode::kNotFound, "the log has no event of stream " + *stream};
  }
  const auto& broken = verifier.first_break();
  return nlohmann::json{{"ok", !broken},
                        {"checked", verifier.checked()},
                        {"streams", verifier.streams()},
                        {"first_break", broken ? broken->ToJson() : nlohmann::json(nullptr)}};
}

}  // namespace helpdesk
