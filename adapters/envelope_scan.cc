#include "adapters/envelope_scan.h"

#include "adapters/event_codec.h"

// simdjson's inline iterators trip GCC's flow warnings once inlined here (its own code, not
// ours): they are silenced for its header only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <simdjson.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <string>
#include <vector>

namespace helpdesk {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// A simdjson value as nlohmann::json, for the few fields kept as JSON (attachments, custom
// attributes).
nlohmann::json ToJson(element e) {
  switch (e.type()) {
    case element_type::ARRAY: {
      nlohmann::json out = nlohmann::json::array();
      simdjson::dom::array items;
      if (!e.get_array().get(items)) {
        for (element item : items) out.push_back(ToJson(item));
      }
      return out;
    }
    case element_type::OBJECT: {
      nlohmann::json out = nlohmann::json::object();
      simdjson::dom::object fields;
      if (!e.get_object().get(fields)) {
        for (auto field : fields) out[std::string(field.key)] = ToJson(field.value);
      }
      return out;
    }
    case element_type::INT64: {
      // nlohmann reads a number without a sign as unsigned.
      const int64_t v = e.get_int64().value_unsafe();
      return v >= 0 ? nlohmann::json(static_cast<uint64_t>(v)) : nlohmann::json(v);
    }
    case element_type::UINT64:
      return e.get_uint64().value_unsafe();
    case element_type::DOUBLE:
      return e.get_double().value_unsafe();
    case element_type::STRING:
      return std::string(e.get_string().value_unsafe());
    case element_type::BOOL:
      return e.get_bool().value_unsafe();
    case element_type::NULL_VALUE:
      break;
  }
  return nullptr;
}

// `e` as nlohmann::json into `*out`, as nlohmann's own parser builds it; false for an object with
// a key twice (nlohmann keeps the last one: DecodeEnvelope then reads it, so the two never differ).
bool ToJsonExactly(element e, nlohmann::json* out) {
  switch (e.type()) {
    case element_type::ARRAY: {
      *out = nlohmann::json::array();
      auto& items = out->get_ref<nlohmann::json::array_t&>();
      const simdjson::dom::array array = e.get_array().value_unsafe();
      for (element item : array) {
        items.emplace_back();
        if (!ToJsonExactly(item, &items.back())) return false;
      }
      return true;
    }
    case element_type::OBJECT: {
      *out = nlohmann::json::object();
      auto& fields = out->get_ref<nlohmann::json::object_t&>();
      const simdjson::dom::object object = e.get_object().value_unsafe();
      for (auto field : object) {
        auto [it, added] = fields.try_emplace(std::string(field.key));
        if (!added || !ToJsonExactly(field.value, &it->second)) return false;
      }
      return true;
    }
    default:
      *out = ToJson(e);
      return true;
  }
}

// The payload as simdjson parsed it. nlohmann's is_number_integer is simdjson's INT64 or
// UINT64.
class SimdPayloadReader final : public events::PayloadReader {
 public:
  explicit SimdPayloadReader(simdjson::dom::object o) : o_(o) {}
  std::optional<std::string> OptStr(const char* key) const override {
    std::string_view v;
    if (o_[key].get_string().get(v)) return std::nullopt;
    return std::string(v);
  }
  std::optional<bool> OptBool(const char* key) const override {
    bool v;
    if (o_[key].get_bool().get(v)) return std::nullopt;
    return v;
  }
  std::optional<double> OptReal(const char* key) const override {
    element e;
    if (o_[key].get(e) || !e.is_number()) return std::nullopt;
    if (e.is_int64()) return static_cast<double>(e.get_int64().value_unsafe());
    if (e.is_uint64()) return static_cast<double>(e.get_uint64().value_unsafe());
    return e.get_double().value_unsafe();
  }
  std::optional<int64_t> OptInteger(const char* key) const override {
    element e;
    if (o_[key].get(e)) return std::nullopt;
    if (e.is_int64()) return e.get_int64().value_unsafe();
    if (e.is_uint64()) return static_cast<int64_t>(e.get_uint64().value_unsafe());
    return std::nullopt;
  }
  std::optional<std::vector<std::string>> OptStrings(const char* key) const override {
    simdjson::dom::array a;
    if (o_[key].get_array().get(a)) return std::nullopt;
    std::vector<std::string> out;
    for (element item : a) {
      std::string_view v;
      if (!item.get_string().get(v)) out.emplace_back(v);
    }
    return out;
  }
  bool Has(const char* key) const override { return o_[key].error() == simdjson::SUCCESS; }
  std::optional<nlohmann::json> Json(const char* key) const override {
    element e;
    if (o_[key].get(e)) return std::nullopt;
    return ToJson(e);
  }

 private:
  simdjson::dom::object o_;
};

Error Corrupt(const char* what) {
  return Error{ErrorCode::kInternal, std::string("corrupt event envelope: ") + what, ""};
}

// Whether `bytes` may hold the number -0. nlohmann reads it as a signed integer (so not a count),
// simdjson as 0, and the DOM keeps no sign to tell them apart. No writer of ours makes one;
// where one may be, the scanner leaves the envelope to DecodeEnvelope. A "-0" inside a string
// can match too (after ':', ',', '[' or a space): that envelope is only read the slower way.
bool MayHoldNegativeZero(std::string_view bytes) {
  for (size_t at = bytes.find("-0"); at != std::string_view::npos; at = bytes.find("-0", at + 2)) {
    const char before = at == 0 ? ' ' : bytes[at - 1];
    const char after = at + 2 < bytes.size() ? bytes[at + 2] : ' ';
    const bool starts_a_value = before == ':' || before == ',' || before == '[' || before == ' ' ||
                                before == '\t' || before == '\n' || before == '\r';
    const bool ends_the_number =
        after != '.' && after != 'e' && after != 'E' && (after < '0' || after > '9');
    if (starts_a_value && ends_the_number) return true;
  }
  return false;
}

}  // namespace

struct EnvelopeScanner::Parser {
  simdjson::dom::parser parser;
};

EnvelopeScanner::EnvelopeScanner() : parser_(std::make_unique<Parser>()) {}
EnvelopeScanner::~EnvelopeScanner() = default;

static_assert(EnvelopeScanner::kPadding == simdjson::SIMDJSON_PADDING);

namespace {

// An envelope's fields as simdjson read them: everything but the payload in `r`, the payload and
// the hashes as they are in the parsed document.
struct EnvelopeFields {
  element data;
  std::string_view prev_hash, hash;
};

// Reads the fields the way DecodeEnvelope does (the same ones required, the same types), in one
// pass over them (an object's lookups by key each walk it from the start). A field given twice is
// refused: nlohmann keeps the last of the two, and DecodeEnvelope is left to read it.
Status ReadFields(simdjson::dom::object envelope, RecordedEvent& r, EnvelopeFields& out) {
  r.schema_version = kSchemaVersion;
  r.partition = 0;
  enum Seen : unsigned {
    kSeenPosition = 1,
    kSeenStreamVersion = 2,
    kSeenSchemaVersion = 4,
    kSeenPartition = 8,
    kSeenId = 16,
    kSeenStream = 32,
    kSeenType = 64,
    kSeenAt = 128,
    kSeenActor = 256,
    kSeenData = 512,
    kSeenPrevHash = 1024,
    kSeenHash = 2048,
  };
  unsigned seen = 0;
  const auto first = [&seen](unsigned field) {
    const bool again = (seen & field) != 0;
    seen |= field;
    return !again;
  };
  std::string_view at;
  simdjson::dom::object actor;
  for (auto field : envelope) {
    const std::string_view key = field.key;
    const element value = field.value;
    std::string_view text;
    uint64_t count = 0;
    if (key == "position") {
      if (!first(kSeenPosition)) return Corrupt("position twice, left to DecodeEnvelope");
      if (value.get_uint64().get(count)) return Corrupt("position is not a count");
      r.position = count;
    } else if (key == "stream_version") {
      if (!first(kSeenStreamVersion))
        return Corrupt("stream_version twice, left to DecodeEnvelope");
      if (value.get_uint64().get(count)) return Corrupt("stream_version is not a count");
      r.stream_version = count;
    } else if (key == "schema_version") {
      if (!first(kSeenSchemaVersion))
        return Corrupt("schema_version twice, left to DecodeEnvelope");
      if (value.get_uint64().get(count)) return Corrupt("schema_version is not a count");
      r.schema_version = static_cast<int>(count);
    } else if (key == "partition") {
      if (!first(kSeenPartition)) return Corrupt("partition twice, left to DecodeEnvelope");
      int64_t partition = 0;
      if (!value.get_int64().get(partition)) r.partition = static_cast<int>(partition);
    } else if (key == "id" || key == "stream" || key == "type") {
      if (!first(key == "id" ? kSeenId : key == "stream" ? kSeenStream : kSeenType)) {
        return Corrupt("a field twice, left to DecodeEnvelope");
      }
      if (value.get_string().get(text)) return Corrupt("a field is not a string");
      (key == "id" ? r.event.id : key == "stream" ? r.event.stream : r.event.type) = text;
    } else if (key == "at") {
      if (!first(kSeenAt)) return Corrupt("at twice, left to DecodeEnvelope");
      if (value.get_string().get(at)) return Corrupt("at is not a string");
    } else if (key == "actor") {
      if (!first(kSeenActor)) return Corrupt("actor twice, left to DecodeEnvelope");
      if (value.get_object().get(actor)) return Corrupt("malformed actor");
    } else if (key == "data") {
      if (!first(kSeenData)) return Corrupt("data twice, left to DecodeEnvelope");
      out.data = value;
    } else if (key == "prev_hash" || key == "hash") {
      if (!first(key == "hash" ? kSeenHash : kSeenPrevHash)) return Corrupt("a hash twice");
      if (value.get_string().get(text)) return Corrupt("a hash is not a string");
      (key == "hash" ? out.hash : out.prev_hash) = text;
    }
  }
  if (!(seen & kSeenPosition) || !(seen & kSeenStreamVersion)) {
    return Corrupt("position or stream_version is missing");
  }
  if (!(seen & kSeenId) || !(seen & kSeenStream) || !(seen & kSeenType) || at.empty()) {
    return Corrupt("a field is missing");
  }
  auto parsed_at = ParseRfc3339(std::string(at));
  if (!parsed_at) return Corrupt("malformed time");
  r.event.at = *parsed_at;
  if (!(seen & kSeenActor)) return Corrupt("malformed actor");
  std::string_view actor_type, actor_id;
  bool has_type = false, has_id = false;
  for (auto field : actor) {
    if (field.key == "type") {
      if (has_type || field.value.get_string().get(actor_type)) return Corrupt("malformed actor");
      has_type = true;
    } else if (field.key == "id") {
      if (has_id || field.value.get_string().get(actor_id)) return Corrupt("malformed actor");
      has_id = true;
    }
  }
  if (!has_type || !has_id) return Corrupt("malformed actor");
  r.event.actor.type = actor_type == "user"      ? Actor::Type::kUser
                       : actor_type == "contact" ? Actor::Type::kContact
                                                 : Actor::Type::kSystem;
  r.event.actor.id = actor_id;
  if (!(seen & kSeenData)) return Corrupt("data is missing");
  return Status::Ok();
}

// The envelope as a simdjson object. Bytes with kPadding spare capacity are not copied.
Status ParseEnvelope(simdjson::dom::parser& parser, const std::string& bytes,
                     simdjson::dom::object* envelope) {
  if (MayHoldNegativeZero(bytes)) return Corrupt("-0, left to DecodeEnvelope");
  auto parsed =
      bytes.capacity() >= bytes.size() + EnvelopeScanner::kPadding
          ? parser.parse(simdjson::padded_string_view(bytes.data(), bytes.size(), bytes.capacity()))
          : parser.parse(bytes.data(), bytes.size());
  if (parsed.get_object().get(*envelope)) return Corrupt("not a JSON object");
  return Status::Ok();
}

}  // namespace

Status EnvelopeScanner::Scan(const std::string& bytes, std::string_view payload_of,
                             ScannedEvent* out) {
  simdjson::dom::object envelope;
  if (Status parsed = ParseEnvelope(parser_->parser, bytes, &envelope); !parsed.ok()) return parsed;
  RecordedEvent& r = out->recorded;
  EnvelopeFields fields;
  if (Status read = ReadFields(envelope, r, fields); !read.ok()) return read;
  r.event.data = nullptr;
  r.event.prev_hash.clear();
  r.event.hash.clear();
  out->event.reset();
  if (r.event.stream.starts_with(payload_of)) {
    simdjson::dom::object payload;
    if (!fields.data.get_object().get(payload)) {
      out->event = events::Decode(r.event.type, SimdPayloadReader(payload));
    }
  }
  return Status::Ok();
}

Status EnvelopeScanner::Decode(const std::string& bytes, RecordedEvent* out) {
  simdjson::dom::object envelope;
  if (Status parsed = ParseEnvelope(parser_->parser, bytes, &envelope); !parsed.ok()) return parsed;
  EnvelopeFields fields;
  if (Status read = ReadFields(envelope, *out, fields); !read.ok()) return read;
  out->partition = 0;  // as DecodeEnvelope: a log sets it from where it read the event
  if (!ToJsonExactly(fields.data, &out->event.data)) {
    return Corrupt("a key twice in the payload, left to DecodeEnvelope");
  }
  out->event.prev_hash = fields.prev_hash;
  out->event.hash = fields.hash;
  return Status::Ok();
}

Result<RecordedEvent> DecodeEnvelopeFast(const std::string& bytes) {
  thread_local EnvelopeScanner scanner;
  RecordedEvent r;
  try {
    if (scanner.Decode(bytes, &r).ok()) return r;
  } catch (const std::exception&) {
    // Out of memory building the tree, say: DecodeEnvelope gives the answer, as an Error.
  }
  return DecodeEnvelope(bytes);
}

}  // namespace helpdesk
