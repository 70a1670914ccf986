// The global event feed: GET /api/v1/events?after=&limit=&stream=&type=
#include <charconv>

#include "adapters/event_codec.h"
#include "api/app.h"
#include "api/audit.h"
#include "api/json_io.h"

namespace helpdesk {
namespace {

// Most events one request reads while filtering; past it the page ends with a cursor.
constexpr size_t kMaxScanned = 50000;

}  // namespace

std::optional<HttpResponse> App::RouteEvents(const HttpRequest& r, const Caller& caller) {
  if (r.path.size() == 4 && r.path[2] == "audit" && r.path[3] == "verify" && r.method == "GET") {
    if (!caller.channel_id.empty() ||
        (caller.role != Role::kAdmin && caller.role != Role::kAuditor)) {
      return ErrorResponse(Forbidden("only an admin or an auditor can verify the log"));
    }
    auto stream = QueryParam(r, "stream");
    auto result = VerifyChains(log_, stream);
    if (!result.ok()) return ErrorResponse(result.error());
    return JsonResponse(200, result.value());
  }
  if (r.path.size() != 3 || r.path[2] != "events" || r.method != "GET") return std::nullopt;
  if (!CanReadEvents(caller.role) || !caller.channel_id.empty()) {
    return ErrorResponse(Error{ErrorCode::kForbidden, "this role cannot read the event feed"});
  }
  auto list = ReadListParams(r);
  if (!list.ok()) return ErrorResponse(list.error());
  // `after` is a position on a one-partition log ("42") or a position token ("0:42,3:7").
  ConsistencyToken cursor;
  std::string after_text;
  if (auto it = r.query.find("after"); it != r.query.end()) after_text = it->second;
  if (after_text.empty() && list.value().cursor) after_text = *list.value().cursor;
  if (!after_text.empty()) {
    uint64_t after = 0;
    auto res = std::from_chars(after_text.data(), after_text.data() + after_text.size(), after);
    if (res.ec == std::errc() && res.ptr == after_text.data() + after_text.size()) {
      cursor = ConsistencyToken::Single(after);
    } else if (auto token = ConsistencyToken::Parse(after_text)) {
      cursor = *token;
    } else {
      return ErrorResponse(InvalidField("after", "must be a log position or a position token"));
    }
  }
  const std::string stream = r.query.count("stream") ? r.query.at("stream") : "";
  const std::string type = r.query.count("type") ? r.query.at("type") : "";
  const size_t limit = list.value().limit;

  nlohmann::json items = nlohmann::json::array();
  size_t scanned = 0;
  bool more = false;  // stopped with events possibly left: the client continues from `cursor`
  int empty_reads = 0;
  while (!more) {
    auto batch = log_.Read(cursor, 1000, std::chrono::milliseconds(empty_reads == 0 ? 0 : 100));
    if (!batch.ok()) return ErrorResponse(batch.error());
    if (batch.value().empty()) {
      // A remote log may have events not fetched yet: ask it whether this is the end.
      auto end = log_.IsCaughtUp(cursor);
      if (!end.ok()) return ErrorResponse(end.error());
      if (end.value() || ++empty_reads > 20) break;
      continue;
    }
    for (const RecordedEvent& e : batch.value()) {
      if (items.size() == limit || scanned == kMaxScanned) {
        more = true;
        break;
      }
      ++scanned;
      cursor.Set(e.partition, e.position);
      if (!stream.empty() && e.event.stream != stream) continue;
      if (!type.empty() && e.event.type != type) continue;
      nlohmann::json item = EnvelopeToJson(e);
      item["data"].erase("token_sha256");  // a credential's digest is for the server only
      items.push_back(std::move(item));
    }
  }
  std::optional<std::string> next;
  if (more) {
    const bool single =
        cursor.offsets().size() <= 1 && cursor.offsets().count(0) == cursor.offsets().size();
    next = single ? std::to_string(cursor.At(0)) : cursor.ToString();
  }
  return ListResponse(items.dump(), next);
}

}  // namespace helpdesk
