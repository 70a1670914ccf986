// The global event feed: GET /api/v1/events?after=&limit=&stream=&type=
#include <charconv>

#include "adapters/event_codec.h"
#include "api/app.h"
#include "api/json_io.h"

namespace helpdesk {
namespace {

// Most events one request reads while filtering; past it the page ends with a cursor.
constexpr size_t kMaxScanned = 50000;

}  // namespace

std::optional<HttpResponse> App::RouteEvents(const HttpRequest& r, const Caller& caller) {
  if (r.path.size() != 3 || r.path[2] != "events" || r.method != "GET") return std::nullopt;
  if (!CanReadEvents(caller.role) || !caller.channel_id.empty()) {
    return ErrorResponse(Error{ErrorCode::kForbidden, "this role cannot read the event feed"});
  }
  auto list = ReadListParams(r);
  if (!list.ok()) return ErrorResponse(list.error());
  uint64_t after = 0;
  std::string after_text;
  if (auto it = r.query.find("after"); it != r.query.end()) after_text = it->second;
  if (after_text.empty() && list.value().cursor) after_text = *list.value().cursor;
  if (!after_text.empty()) {
    auto res = std::from_chars(after_text.data(), after_text.data() + after_text.size(), after);
    if (res.ec != std::errc() || res.ptr != after_text.data() + after_text.size()) {
      return ErrorResponse(InvalidField("after", "must be a log position (a whole number)"));
    }
  }
  const std::string stream = r.query.count("stream") ? r.query.at("stream") : "";
  const std::string type = r.query.count("type") ? r.query.at("type") : "";
  const size_t limit = list.value().limit;

  nlohmann::json items = nlohmann::json::array();
  uint64_t last = after;  // the last position looked at
  size_t scanned = 0;
  bool more = false;  // stopped with events possibly left: the client continues from `last`
  while (!more) {
    auto batch = log_.Read(ConsistencyToken::Single(last), 1000, std::chrono::milliseconds(0));
    if (!batch.ok()) return ErrorResponse(batch.error());
    if (batch.value().empty()) break;
    for (const RecordedEvent& e : batch.value()) {
      if (items.size() == limit || scanned == kMaxScanned) {
        more = true;
        break;
      }
      ++scanned;
      last = e.position;
      if (!stream.empty() && e.event.stream != stream) continue;
      if (!type.empty() && e.event.type != type) continue;
      nlohmann::json item = EnvelopeToJson(e);
      item["data"].erase("token_sha256");  // a credential's digest is for the server only
      items.push_back(std::move(item));
    }
  }
  HttpResponse response = ListResponse(
      items.dump(), more ? std::optional<std::string>(std::to_string(last)) : std::nullopt);
  return response;
}

}  // namespace helpdesk
