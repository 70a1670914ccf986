// The audit chain: every event carries the hash of the previous event of its stream and its own
// hash, over its content and that previous hash. Changing, removing or inserting an event
// anywhere in a stream breaks the chain at that point, which ChainVerifier names.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>

#include "domain/event.h"

namespace helpdesk {

// SHA-256 (hex) of `prev_hash`, a newline, and the event's content as canonical JSON (id,
// stream, stream_version, type, at, actor, data; keys sorted). Log coordinates (position,
// partition) are not part of it: the log assigns them after the hash is made.
std::string EventHash(const std::string& prev_hash, const NewEvent& e, uint64_t stream_version);

struct ChainBreak {
  std::string stream;
  uint64_t stream_version = 0;
  int partition = 0;
  uint64_t position = 0;
  std::string event_id;
  std::string reason;
  nlohmann::json ToJson() const;
};

// Checks events in log order, stream by stream. Not thread-safe.
class ChainVerifier {
 public:
  // `dense_positions`: the events given are the whole of a log whose positions run 1, 2, 3…
  // without a gap (the embedded log; not Kafka, whose transactions leave gaps between offsets),
  // so a gap is a removed event too, even one that ended its stream (no chain shows that).
  explicit ChainVerifier(bool dense_positions = false) : dense_positions_(dense_positions) {}
  // Checks one event (all events, or only those of one stream, in log order).
  void Add(const RecordedEvent& r);
  const std::optional<ChainBreak>& first_break() const { return first_break_; }
  uint64_t checked() const { return checked_; }
  size_t streams() const { return last_.size(); }

 private:
  struct Last {
    uint64_t version = 0;
    std::string hash;
  };
  std::unordered_map<std::string, Last> last_;
  std::optional<ChainBreak> first_break_;
  uint64_t checked_ = 0;
  const bool dense_positions_;
  uint64_t last_position_ = 0;
};

}  // namespace helpdesk
