// The global event feed (GET /api/v1/events?after=&limit=&stream=&type=) and the live feed for
// UIs (GET /api/v1/stream, Server-Sent Events).
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>

#include "adapters/event_codec.h"
#include "adapters/random_ids.h"
#include "api/app.h"
#include "api/audit.h"
#include "api/json_io.h"
#include "domain/events.h"

namespace helpdesk {
namespace {

// Most events one request reads while filtering; past it the page ends with a cursor.
constexpr size_t kMaxScanned = 50000;

// A comment line this often keeps proxies from closing an idle stream, and shows the server
// that a client which left is gone.
constexpr auto kHeartbeat = std::chrono::seconds(10);

// A position: a number on a one-partition log ("42"), or a position token ("0:42,3:7").
std::optional<ConsistencyToken> ParsePosition(const std::string& text) {
  uint64_t after = 0;
  auto res = std::from_chars(text.data(), text.data() + text.size(), after);
  if (res.ec == std::errc() && res.ptr == text.data() + text.size()) {
    return ConsistencyToken::Single(after);
  }
  return ConsistencyToken::Parse(text);
}

// How a cursor is written back to clients: a plain number on a one-partition log.
std::string FormatPosition(const ConsistencyToken& cursor) {
  const bool single =
      cursor.offsets().size() <= 1 && cursor.offsets().count(0) == cursor.offsets().size();
  return single ? std::to_string(cursor.At(0)) : cursor.ToString();
}

}  // namespace

// Credentials are for the server only (events::kSecretFields).
using events::kSecretFields;

nlohmann::json PublicEnvelope(const RecordedEvent& e) {
  nlohmann::json item = EnvelopeToJson(e);
  for (const char* secret : kSecretFields) item["data"].erase(secret);
  return item;
}

std::string PublicEnvelopeText(const RecordedEvent& e) {
  // Most events carry no secret: encoded straight away, without building a tree to prune.
  const nlohmann::json& data = e.event.data;
  for (const char* secret : kSecretFields) {
    if (data.is_object() && data.contains(secret)) return PublicEnvelope(e).dump();
  }
  return EncodeEnvelope(e);
}

nlohmann::json EnvelopeFor(Role role, const RecordedEvent& e, const Pseudonymizer& pseudonyms) {
  if (role != Role::kAnalyst) return PublicEnvelope(e);
  RecordedEvent copy = e;
  pseudonyms.Apply(copy.event);
  return PublicEnvelope(copy);
}

std::optional<HttpResponse> App::RouteEvents(const HttpRequest& r, const Caller& caller) {
  if (r.path.size() == 4 && r.path[2] == "audit" && r.path[3] == "verify" && r.method == "GET") {
    if (!caller.channel_id.empty() ||
        (caller.role != Role::kAdmin && caller.role != Role::kAuditor)) {
      return ErrorResponse(Forbidden("only an admin or an auditor can verify the log"));
    }
    auto stream = QueryParam(r, "stream");
    auto result = VerifyChains(audit_log_, stream, dense_positions_);
    if (!result.ok()) return ErrorResponse(result.error());
    return JsonResponse(200, result.value());
  }
  if (r.path.size() == 3 && r.path[2] == "stream" && r.method == "GET") {
    return LiveStream(r, caller);
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
    auto parsed = ParsePosition(after_text);
    if (!parsed) {
      return ErrorResponse(InvalidField("after", "must be a log position or a position token"));
    }
    if (Status known = Reachable(*parsed, "after"); !known.ok()) {
      return ErrorResponse(known.error());
    }
    cursor = *parsed;
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
      if (end.value()) break;
      if (++empty_reads > 20) {
        // Not known to be the end (a remote log slow to tell): a cursor, never a false end.
        more = true;
        break;
      }
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
      items.push_back(EnvelopeFor(caller.role, e, pseudonyms_));
    }
  }
  std::optional<std::string> next;
  if (more) next = FormatPosition(cursor);
  return ListResponse(items.dump(), next);
}

namespace {
// How often a live stream checks that its token still lets its user in.
constexpr auto kRecheck = std::chrono::seconds(5);
}  // namespace

HttpResponse App::LiveStream(const HttpRequest& r, const Caller& caller) {
  if (!caller.channel_id.empty() ||
      (!CanReadConversations(caller.role) && !CanReadEvents(caller.role))) {
    return ErrorResponse(Forbidden("this role cannot follow the live feed"));
  }
  // Where to start: after the last event the client saw (the browser's reconnect sends
  // Last-Event-ID; `after` for clients that cannot set headers), else from now on.
  std::string after_text = r.Header("last-event-id");
  const bool from_header = !after_text.empty();
  if (!from_header) after_text = QueryParam(r, "after").value_or("");
  ConsistencyToken start = projections_.Applied();
  if (!after_text.empty()) {
    auto parsed = ParsePosition(after_text);
    if (!parsed) {
      return ErrorResponse(InvalidField(from_header ? "Last-Event-ID" : "after",
                                        "must be an event id this feed sent"));
    }
    if (Status known = Reachable(*parsed, from_header ? "Last-Event-ID" : "after"); !known.ok()) {
      return ErrorResponse(known.error());
    }
    start = *parsed;
  }
  const std::string type = QueryParam(r, "type").value_or("");
  // Per caller (one user's several tabs share the allowance); past it, their oldest stream ends.
  std::shared_ptr<StreamSlot> slot =
      stream_slots_->Take(caller.is_user() ? "user/" + caller.user_id : "admin");
  HttpResponse response;
  response.content_type = "text/event-stream; charset=utf-8";
  response.headers["Cache-Control"] = "no-store";
  response.headers["X-Accel-Buffering"] = "no";  // reverse proxies: pass events on at once
  const Role role = caller.role;
  const std::string who = caller.actor().id;
  // A user's stream ends once their token stops letting them in (revoked, expired, the user
  // deactivated): checked every few seconds against the write model.
  const std::string digest = caller.is_user() ? BearerTokenDigest(r).value_or("") : "";
  const Caller viewer = caller;
  response.stream = [this, start, type, role, who, slot, digest, viewer](BodyStream& out) {
    spdlog::debug("live stream for {} from {}", who, start.ToString());
    ConsistencyToken cursor = start;
    // The browser waits this long before reconnecting with Last-Event-ID.
    if (!out.Write("retry: 2000\n\n")) return;
    auto last_write = std::chrono::steady_clock::now();
    auto last_check = last_write;
    while (out.Open()) {
      if (slot->Superseded()) {
        // The caller opened more streams than their allowance: the newest go on, this one ends.
        out.Write("event: error\ndata: {\"code\":\"superseded\"}\n\n");
        return;
      }
      if (!digest.empty() && std::chrono::steady_clock::now() - last_check >= kRecheck) {
        if (!lookups_.CallerForToken(digest)) {
          out.Write("event: error\ndata: {\"code\":\"unauthorized\"}\n\n");
          return;
        }
        last_check = std::chrono::steady_clock::now();
      }
      // Up to what the views include: the feed never runs ahead of what reads show, and an
      // idle stream waits on the projector, not on one of the log's few readers.
      if (cursor.Covers(projections_.Applied())) {
        if (!projections_.WaitBeyond(cursor, std::chrono::milliseconds(1000))) {
          if (std::chrono::steady_clock::now() - last_write >= kHeartbeat) {
            if (!out.Write(": keep-alive\n\n")) return;
            last_write = std::chrono::steady_clock::now();
          }
          continue;
        }
      }
      // The log may hold more than the views yet: stop at what they include.
      const ConsistencyToken applied = projections_.Applied();
      auto batch = log_.Read(cursor, 500, std::chrono::milliseconds(200));
      if (!batch.ok()) {
        // The log is away (a broker restarting): the client reconnects from its last id.
        out.Write("event: error\ndata: {\"code\":\"log_unavailable\"}\n\n");
        return;
      }
      std::string chunk;
      bool advanced = false;
      // The desk's agent_visibility, once per batch: who sees everything pays nothing per event.
      const bool narrowed = role == Role::kAgent && lookups_.SightOf(viewer).has_value();
      for (const RecordedEvent& e : batch.value()) {
        // Past the views in its partition (so are the partition's next ones): a later round.
        if (e.position > applied.At(e.partition)) continue;
        cursor.Set(e.partition, e.position);
        advanced = true;
        if (!MayStreamEvent(role, e.event.stream)) continue;
        // The desk's agent_visibility: a conversation hidden from the caller now is not shown.
        if (narrowed && e.event.stream.starts_with("conversation/") &&
            lookups_.Hides(viewer, e.event.stream.substr(std::string("conversation/").size()))) {
          continue;
        }
        if (!type.empty() && e.event.type != type) continue;
        // `id` is the cursor after this event: resuming from it sends what follows.
        chunk += "id: " + FormatPosition(cursor) + "\nevent: " + e.event.type + "\ndata: " +
                 (role == Role::kAnalyst ? EnvelopeFor(role, e, pseudonyms_).dump()
                                         : PublicEnvelopeText(e)) +
                 "\n\n";
      }
      if (!advanced) projections_.WaitBeyond(applied, std::chrono::milliseconds(200));
      const auto now = std::chrono::steady_clock::now();
      if (chunk.empty() && now - last_write >= kHeartbeat) chunk = ": keep-alive\n\n";
      if (chunk.empty()) continue;
      if (!out.Write(chunk)) return;
      last_write = now;
    }
  };
  return response;
}

}  // namespace helpdesk
