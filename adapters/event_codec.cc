#include "adapters/event_codec.h"

#include <stdexcept>

#include "domain/json_text.h"

namespace helpdesk {

const char* ActorTypeName(Actor::Type t) {
  switch (t) {
    case Actor::Type::kUser:
      return "user";
    case Actor::Type::kContact:
      return "contact";
    case Actor::Type::kSystem:
      return "system";
  }
  return "system";
}

nlohmann::json ActorToJson(const Actor& a) {
  return {{"type", ActorTypeName(a.type)}, {"id", a.id}};
}

Actor ActorFromJson(const nlohmann::json& j) {
  const std::string type = j.value("type", "system");
  return Actor{type == "user"      ? Actor::Type::kUser
               : type == "contact" ? Actor::Type::kContact
                                   : Actor::Type::kSystem,
               j.value("id", "")};
}

nlohmann::json EnvelopeToJson(const RecordedEvent& r) {
  return {{"position", r.position},
          {"partition", r.partition},
          {"id", r.event.id},
          {"stream", r.event.stream},
          {"stream_version", r.stream_version},
          {"type", r.event.type},
          {"at", FormatRfc3339(r.event.at)},
          {"actor", ActorToJson(r.event.actor)},
          {"data", r.event.data},
          {"schema_version", r.schema_version},
          {"prev_hash", r.event.prev_hash},
          {"hash", r.event.hash}};
}

std::string QuoteJson(const std::string& s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

void AppendActorJson(std::string& out, const Actor& a) {
  out += "{\"id\":";
  AppendJsonString(out, a.id);
  out += ",\"type\":\"";
  out += ActorTypeName(a.type);
  out += "\"}";
}

std::string ActorJsonText(const Actor& a) {
  std::string out;
  AppendActorJson(out, a);
  return out;
}

void AppendEventData(std::string& out, const NewEvent& e) {
  if (e.data_text.empty()) {
    AppendJson(out, e.data);
  } else {
    out += e.data_text;
  }
}

void TakeDataText(NewEvent& e) {
  if (e.data_text.empty()) return;
  e.data = nlohmann::json::parse(e.data_text);  // AppendJson's bytes: valid JSON
  e.data_text.clear();
}

std::string EncodeEnvelope(const RecordedEvent& r) {
  // Byte for byte what EnvelopeToJson(r).dump() writes (keys in order), written into one buffer
  // without building the tree and copying the payload into it first: this runs once per
  // appended event. 256 bytes cover the fields around a typical payload.
  std::string out;
  out.reserve(256 + r.event.id.size() + r.event.stream.size() + r.event.actor.id.size() +
              r.event.data_text.size());
  out += "{\"actor\":";
  AppendActorJson(out, r.event.actor);
  out += ",\"at\":\"";
  AppendRfc3339(out, r.event.at);
  out += "\",\"data\":";
  AppendEventData(out, r.event);
  out += ",\"hash\":";
  AppendJsonString(out, r.event.hash);
  out += ",\"id\":";
  AppendJsonString(out, r.event.id);
  out += ",\"partition\":";
  out += std::to_string(r.partition);
  out += ",\"position\":";
  out += std::to_string(r.position);
  out += ",\"prev_hash\":";
  AppendJsonString(out, r.event.prev_hash);
  out += ",\"schema_version\":";
  out += std::to_string(r.schema_version);
  out += ",\"stream\":";
  AppendJsonString(out, r.event.stream);
  out += ",\"stream_version\":";
  out += std::to_string(r.stream_version);
  out += ",\"type\":";
  AppendJsonString(out, r.event.type);
  out += "}";
  return out;
}

namespace {

// A count in an envelope (position, version): a float or a negative number is corrupt. nlohmann
// would convert one, and a float past the integer's range is undefined behaviour.
uint64_t CountAt(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = j.at(key);
  if (!v.is_number_unsigned()) throw std::invalid_argument(std::string(key) + " is not a count");
  return v.get<uint64_t>();
}

}  // namespace

Result<RecordedEvent> DecodeEnvelope(const std::string& bytes) {
  try {
    // Not const: strings and the payload are moved out of the parsed tree, not copied (this
    // runs once per event read, the first cost of every replay).
    auto j = nlohmann::json::parse(bytes);
    auto take_string = [&j](const char* key) {
      return std::move(j.at(key).get_ref<std::string&>());
    };
    RecordedEvent r;
    r.position = CountAt(j, "position");
    r.stream_version = CountAt(j, "stream_version");
    if (j.contains("schema_version")) {
      r.schema_version = static_cast<int>(CountAt(j, "schema_version"));
    }
    r.event.id = take_string("id");
    r.event.stream = take_string("stream");
    r.event.type = take_string("type");
    auto at = ParseRfc3339(j.at("at").get_ref<const std::string&>());
    if (!at) return Error{ErrorCode::kInternal, "event with a malformed time"};
    r.event.at = *at;
    const nlohmann::json& actor = j.at("actor");
    if (!actor.at("type").is_string() || !actor.at("id").is_string()) {
      return Error{ErrorCode::kInternal, "event with a malformed actor"};
    }
    r.event.actor = ActorFromJson(actor);
    r.event.data = std::move(j.at("data"));
    r.event.prev_hash = j.value("prev_hash", "");
    r.event.hash = j.value("hash", "");
    return r;
  } catch (const std::exception& ex) {
    return Error{ErrorCode::kInternal, std::string("corrupt event envelope: ") + ex.what()};
  }
}

}  // namespace helpdesk
