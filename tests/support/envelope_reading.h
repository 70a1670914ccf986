// What the replays' readers of envelopes must agree on (adapters/envelope_scan.h against
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

// A JSON value with the kind of every number spelled out: nlohmann's == takes 5 and 5u for the
// same, and a replay must not read one as the other.
inline std::string ExactText(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      std::string out = "{";
      for (const auto& [key, value] : j.items())
        out += nlohmann::json(key).dump() + ":" + ExactText(value) + ",";
      return out + "}";
    }
    case nlohmann::json::value_t::array: {
      std::string out = "[";
      for (const auto& value : j) out += ExactText(value) + ",";
      return out + "]";
    }
    case nlohmann::json::value_t::number_unsigned:
      return "u" + j.dump();
    case nlohmann::json::value_t::number_integer:
      return "i" + j.dump();
    case nlohmann::json::value_t::number_float:
      return "f" + j.dump();
    default:
      return j.dump();
  }
}

// Everything DecodeEnvelope reads: the fields above, the partition, the payload's tree and the
// hashes.
inline std::string WholeReading(const RecordedEvent& r) {
  return Reading(r, std::nullopt) + ", partition " + std::to_string(r.partition) + ", data " +
         ExactText(r.event.data) + ", prev_hash " + r.event.prev_hash + ", hash " + r.event.hash;
}

}  // namespace helpdesk::testing
