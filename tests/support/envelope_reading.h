// What the replays' two readers of envelopes must agree on (adapters/envelope_scan.h against
// DecodeEnvelope and events::Decode), written out as text: shared by the scanner's unit test and
// its fuzz target, so both compare the same fields.
#pragma once

#include <optional>
#include <string>

#include "domain/event.h"
#include "domain/events.h"

namespace helpdesk::testing {

// The typed event encoded again (a struct has no operator==), or "none".
inline std::string TypedText(const std::optional<events::Event>& e) {
  return e ? events::Encode(*e).data.dump() : "none";
}

// Every envelope field a replay reads (not the payload's tree, nor the hashes), and the typed
// event.
inline std::string Reading(const RecordedEvent& r, const std::optional<events::Event>& typed) {
  return "position " + std::to_string(r.position) + ", stream_version " +
         std::to_string(r.stream_version) + ", schema_version " + std::to_string(r.schema_version) +
         ", id " + r.event.id + ", stream " + r.event.stream + ", type " + r.event.type + ", at " +
         std::to_string(r.event.at.ms) + ", actor " +
         std::to_string(static_cast<int>(r.event.actor.type)) + "/" + r.event.actor.id +
         ", event " + TypedText(typed);
}

}  // namespace helpdesk::testing
