#include "adapters/event_chain.h"

#include "adapters/event_codec.h"
#include "adapters/random_ids.h"
#include "domain/json_text.h"
#include "domain/time.h"

namespace helpdesk {

std::string EventHash(const std::string& prev_hash, const NewEvent& e, uint64_t stream_version) {
  // The hashed text is the dump of {id, stream, stream_version, type, at, actor, data} as a JSON
  // object (keys in order), written here byte for byte without building that object and copying
  // the payload into it: every command hashes each event it appends.
  std::string text;
  text.reserve(320 + prev_hash.size() + e.id.size() + e.stream.size() + e.actor.id.size() +
               e.data_text.size());
  text += prev_hash;
  text += "\n{\"actor\":";
  AppendActorJson(text, e.actor);
  text += ",\"at\":\"";
  AppendRfc3339(text, e.at);
  text += "\",\"data\":";
  AppendEventData(text, e);
  text += ",\"id\":";
  AppendJsonString(text, e.id);
  text += ",\"stream\":";
  AppendJsonString(text, e.stream);
  text += ",\"stream_version\":";
  text += std::to_string(stream_version);
  text += ",\"type\":";
  AppendJsonString(text, e.type);
  text += "}";
  return Sha256Hex(text);
}

nlohmann::json ChainBreak::ToJson() const {
  return {{"stream", stream},       {"stream_version", stream_version},
          {"partition", partition}, {"position", position},
          {"event_id", event_id},   {"reason", reason}};
}

void ChainVerifier::Add(const RecordedEvent& r) {
  ++checked_;
  Last& last = last_[r.event.stream];
  if (!first_break_) {
    std::string reason;
    if (dense_positions_ && r.position != last_position_ + 1) {
      reason = "position " + std::to_string(r.position) + " follows " +
               std::to_string(last_position_) + ": events are missing from the log";
    } else if (r.stream_version != last.version + 1) {
      reason = "stream_version " + std::to_string(r.stream_version) + " follows " +
               std::to_string(last.version) + ": an event is missing or repeated";
    } else if (r.event.prev_hash != last.hash) {
      reason = "prev_hash is not the hash of the stream's previous event";
    } else if (r.event.hash != EventHash(last.hash, r.event, r.stream_version)) {
      reason = "the event's content does not match its hash: it was changed";
    }
    if (!reason.empty()) {
      first_break_ =
          ChainBreak{r.event.stream, r.stream_version, r.partition, r.position, r.event.id, reason};
    }
  }
  last.version = r.stream_version;
  last.hash = r.event.hash;
  last_position_ = r.position;
}

}  // namespace helpdesk
