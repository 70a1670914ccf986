// EnvelopeScanner: reads event envelopes (event_codec.h's format) with simdjson. Scan is for
// replays that need each event's typed payload but never its payload as a JSON tree: building
// that tree is most of what nlohmann's DecodeEnvelope costs. The typed event is the one
// events::Decode gives (the same lenient rules, through events::PayloadReader), for envelopes
// as the log writes them; in a payload with a key twice (no writer of ours makes one) simdjson
// may read another of the two than nlohmann. Decode reads the whole envelope as DecodeEnvelope
// does, and refuses a key given twice wherever nlohmann would keep the second (an envelope
// field, the actor's type or id, any key of the payload).
//
// Not thread-safe: one scanner per thread (it reuses simdjson's parser buffers).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "domain/event.h"
#include "domain/events.h"
#include "domain/result.h"

namespace helpdesk {

struct ScannedEvent {
  RecordedEvent recorded;              // everything but event.data (left null), prev_hash and hash
  std::optional<events::Event> event;  // when asked for, and the type is known
};

class EnvelopeScanner {
 public:
  EnvelopeScanner();
  ~EnvelopeScanner();
  EnvelopeScanner(const EnvelopeScanner&) = delete;
  EnvelopeScanner& operator=(const EnvelopeScanner&) = delete;

  // Reads one envelope into `*out`, and its typed payload when its stream's name starts with
  // `payload_of`. kInternal when the bytes are not a valid envelope (as DecodeEnvelope refuses
  // them), or when simdjson refuses them (deeper than it nests) or might read them otherwise
  // (the number -0): read those with DecodeEnvelope. Bytes with kPadding spare capacity after them
  // are not copied.
  Status Scan(const std::string& bytes, std::string_view payload_of, ScannedEvent* out);
  // Reads one envelope whole, its payload as a JSON tree included: what DecodeEnvelope(bytes)
  // gives, or kInternal where Scan refuses and also for a key given twice in the payload (read
  // those with DecodeEnvelope, which has the last word).
  Status Decode(const std::string& bytes, RecordedEvent* out);
  static constexpr size_t kPadding = 64;  // simdjson's SIMDJSON_PADDING

 private:
  struct Parser;
  std::unique_ptr<Parser> parser_;
};

// DecodeEnvelope(bytes), read with simdjson where it can be (one scanner per thread) and with
// DecodeEnvelope itself where the scanner leaves it: the same result either way, several times
// faster for envelopes as our writers make them. What every replay reads with.
Result<RecordedEvent> DecodeEnvelopeFast(const std::string& bytes);

}  // namespace helpdesk
