#include "projections/view_queries.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <cctype>

#include "adapters/event_codec.h"
#include "adapters/rocks_status.h"
#include "domain/contact_import.h"
#include "domain/directory.h"
#include "domain/json_text.h"
#include "projections/conversation_projector.h"
#include "projections/conversation_view.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

std::optional<json> ParseObject(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return j;
}

constexpr ConversationStatus kUnclosed[] = {ConversationStatus::kQueued, ConversationStatus::kOpen,
                                            ConversationStatus::kAwaitingCustomer,
                                            ConversationStatus::kPostponed};

}  // namespace

std::optional<std::string> ViewQueries::Conversation(const std::string& id, Timestamp now) const {
  auto stored = views_.Get(view_keys::kConversation + id);
  if (!stored) return std::nullopt;
  std::string out;
  RenderForClient(*stored, now, out);
  return out;
}

Result<Page> ViewQueries::PagePrefix(
    const std::string& prefix, const std::optional<std::string>& cursor, size_t limit,
    const std::function<std::optional<json>(const std::string&)>& render) const {
  std::optional<std::string> after;
  if (cursor) {
    after = DecodeCursor(*cursor);
    if (!after) return InvalidField("cursor", "is not a cursor of this list");
  }
  Page page;
  json items = json::array();
  auto it = views_.NewIterator();
  it->Seek(prefix + after.value_or(""));
  if (after && it->Valid() && it->key().ToString() == prefix + *after) it->Next();
  std::string last;
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (items.size() == limit) {
      page.next_cursor = EncodeCursor(last);
      break;
    }
    last = it->key().ToString().substr(prefix.size());
    if (auto item = render(it->value().ToString())) items.push_back(std::move(*item));
  }
  if (!it->status().ok()) throw ViewReadError("cannot read the views: " + it->status().ToString());
  page.items_json = DumpJson(items);
  return page;
}

Result<Page> ViewQueries::Messages(const std::string& id, const std::optional<std::string>& cursor,
                                   size_t limit) const {
  return PagePrefix(view_keys::kMessages + id + "/", cursor, limit, ParseObject);
}

Result<Page> ViewQueries::Timeline(const std::string& id, const std::optional<std::string>& cursor,
                                   size_t limit, std::optional<Timestamp> until) const {
  return PagePrefix(view_keys::kTimeline + id + "/", cursor, limit,
                    [until](const std::string& text) -> std::optional<json> {
                      auto item = ParseObject(text);
                      if (!item || !until) return item;
                      auto at = ParseRfc3339(item->value("at", ""));
                      if (!at || *until < *at) return std::nullopt;
                      return item;
                    });
}

std::optional<std::string> ViewQueries::ConversationAsOf(const std::string& id,
                                                         Timestamp as_of) const {
  ConversationView view;
  const std::string prefix = view_keys::kTimeline + id + "/";
  auto it = views_.NewIterator();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const json item = json::parse(it->value().ToString(), nullptr, false);
    if (!item.is_object()) continue;
    auto at = ParseRfc3339(item.value("at", ""));
    // Not `break`: `at` comes from the deciding node's clock, which may step back.
    if (!at || as_of < *at) continue;
    NewEvent e;
    e.type = item.value("type", "");
    e.at = *at;
    e.actor = ActorFromJson(item.value("actor", json::object()));
    e.data = item.value("data", json::object());
    e.stream = ConversationStream(id);
    Evolve(view.state, e, item.value("stream_version", uint64_t{0}));
  }
  if (!view.state.exists) return std::nullopt;
  if (auto card = views_.Get(view_keys::kContact + view.state.contact_id)) {
    view.contact = ContactCardFromJson(json::parse(*card, nullptr, false));
  }
  view.contact.id = view.state.contact_id;
  // Like the contact's card, the linked order is shown as it is now: orders are references to
  // the shop's own system, which keeps their history.
  if (view.state.order_ref) {
    const auto order =
        views_.Get(view_keys::kContactOrders + view.state.contact_id + "/" + *view.state.order_ref);
    view.order = OrderLink(*view.state.order_ref,
                           order ? json::parse(*order, nullptr, false) : json(nullptr));
  }
  std::string out;
  RenderForClient(RenderStored(view), as_of, out);
  return out;
}

std::string CsvField(const std::string& cell) {
  // Customers' text must stay text to a spreadsheet ("=HYPERLINK(…)" in a message would
  // otherwise run on the analyst's machine).
  const std::string s = RunsAsFormula(cell) ? "'" + cell : cell;
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string ViewQueries::ConversationCsv(const std::string& id) const {
  std::string csv = "at,direction,private,author,text\r\n";
  const auto conv = views_.Get(view_keys::kConversationState + id);
  std::string contact_name;
  if (conv) {
    if (auto j = ParseObject(*conv)) contact_name = (*j)["contact"].value("name", "");
  }
  const std::string prefix = view_keys::kMessages + id + "/";
  auto it = views_.NewIterator();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto m = ParseObject(it->value().ToString());
    if (!m) continue;
    std::string author = contact_name;
    if ((*m)["author_id"].is_string()) {
      const std::string author_id = (*m)["author_id"];
      auto user = User(author_id);
      author = user ? user->value("name", author_id) : author_id;
    }
    csv += CsvField(m->value("at", "")) + "," + CsvField(m->value("direction", "")) + "," +
           ((*m)["private"].get<bool>() ? "true" : "false") + "," + CsvField(author) + "," +
           CsvField(m->value("text", "")) + "\r\n";
  }
  return csv;
}

int64_t ViewQueries::Counter(const std::string& key) const { return ReadCounter(views_.Get(key)); }

int64_t ViewQueries::OpenCount(const std::string& counter_prefix) const {
  int64_t n = 0;
  for (auto s : kUnclosed) n += Counter(counter_prefix + StatusName(s));
  return n;
}

json ViewQueries::Summary(const std::string& caller_id) const {
  json mine = {{"open", 0}, {"awaiting_customer", 0}, {"postponed", 0}, {"closed", 0}};
  if (!caller_id.empty()) {
    for (auto s : {ConversationStatus::kOpen, ConversationStatus::kAwaitingCustomer,
                   ConversationStatus::kPostponed, ConversationStatus::kClosed}) {
      mine[StatusName(s)] = Counter(UserStatusCounterKey(caller_id, s));
    }
  }
  json general = {{"total", OpenCount("n/st/")},
                  {"queued", Counter(StatusCounterKey(ConversationStatus::kQueued))},
                  {"closed", Counter(StatusCounterKey(ConversationStatus::kClosed))}};
  json teams = json::array();
  auto it = views_.NewIterator();
  for (it->Seek(view_keys::kTeam); it->Valid() && it->key().starts_with(view_keys::kTeam);
       it->Next()) {
    auto t = ParseObject(it->value().ToString());
    if (!t) continue;
    const std::string id = (*t)["id"];
    const int64_t queued = Counter(TeamStatusCounterKey(id, ConversationStatus::kQueued));
    teams.push_back({{"id", id},
                     {"name", (*t)["name"]},
                     {"open", OpenCount("n/t/" + id + "/") - queued},
                     {"queued", queued}});
  }
  json users = json::array();
  for (it->Seek(view_keys::kUser); it->Valid() && it->key().starts_with(view_keys::kUser);
       it->Next()) {
    auto u = ParseObject(it->value().ToString());
    if (!u) continue;
    const std::string id = (*u)["id"];
    users.push_back({{"id", id},
                     {"name", (*u)["name"]},
                     {"presence", (*u)["presence"]},
                     {"open", OpenCount("n/u/" + id + "/")}});
  }
  return {{"mine", mine}, {"general", general}, {"teams", teams}, {"users", users}};
}

Result<Page> ViewQueries::Users(const std::optional<std::string>& q,
                                const std::optional<std::string>& cursor, size_t limit) const {
  const std::string needle = q ? FoldForSearch(*q) : "";
  return PagePrefix(
      view_keys::kUser, cursor, limit, [&](const std::string& value) -> std::optional<json> {
        auto u = ParseObject(value);
        if (!u) return std::nullopt;
        if (!needle.empty() && FoldForSearch((*u)["name"]).find(needle) == std::string::npos &&
            FoldForSearch((*u)["email"]).find(needle) == std::string::npos) {
          return std::nullopt;
        }
        (*u)["open_count"] = OpenCount("n/u/" + (*u)["id"].get<std::string>() + "/");
        return u;
      });
}

Result<Page> ViewQueries::Teams(const std::optional<std::string>& q,
                                const std::optional<std::string>& cursor, size_t limit) const {
  const std::string needle = q ? FoldForSearch(*q) : "";
  return PagePrefix(
      view_keys::kTeam, cursor, limit, [&](const std::string& value) -> std::optional<json> {
        auto t = ParseObject(value);
        if (!t) return std::nullopt;
        if (!needle.empty() && FoldForSearch((*t)["name"]).find(needle) == std::string::npos)
          return std::nullopt;
        const std::string id = (*t)["id"];
        const int64_t queued = Counter(TeamStatusCounterKey(id, ConversationStatus::kQueued));
        (*t)["queued_count"] = queued;
        (*t)["open_count"] = OpenCount("n/t/" + id + "/") - queued;
        return t;
      });
}

Result<Page> ViewQueries::UserTokens(
    const std::string& user_id, const std::optional<std::string>& cursor, size_t limit,
    const std::function<std::optional<Timestamp>(const std::string& token_id)>& last_used) const {
  return PagePrefix(view_keys::kUserToken + user_id + "/", cursor, limit,
                    [&](const std::string& value) -> std::optional<json> {
                      auto t = ParseObject(value);
                      if (!t) return std::nullopt;
                      const auto used = last_used((*t).value("token_id", ""));
                      (*t)["last_used_at"] = used ? json(FormatRfc3339(*used)) : json(nullptr);
                      return t;
                    });
}

std::optional<json> ViewQueries::User(const std::string& id) const {
  auto v = views_.Get(view_keys::kUser + id);
  if (!v) return std::nullopt;
  auto u = ParseObject(*v);
  if (u) (*u)["open_count"] = OpenCount("n/u/" + id + "/");
  return u;
}

json ViewQueries::DeskSettings() const {
  json settings{
      {"agent_visibility", "all"}, {"close_reasons", json::array()}, {"updated_at", nullptr}};
  if (auto v = views_.Get(view_keys::kDeskSettings)) {
    if (auto stored = ParseObject(*v)) settings.update(*stored);
  }
  return settings;
}

std::optional<json> ViewQueries::Team(const std::string& id) const {
  auto v = views_.Get(view_keys::kTeam + id);
  if (!v) return std::nullopt;
  auto t = ParseObject(*v);
  if (t) {
    const int64_t queued = Counter(TeamStatusCounterKey(id, ConversationStatus::kQueued));
    (*t)["queued_count"] = queued;
    (*t)["open_count"] = OpenCount("n/t/" + id + "/") - queued;
  }
  return t;
}

namespace {
bool QuickReplyVisible(const json& q, const std::string& viewer) {
  return q.value("visibility", "public") == "public" || q.value("owner_id", "") == viewer;
}
}  // namespace

Result<Page> ViewQueries::QuickReplies(const std::string& viewer,
                                       const std::optional<std::string>& q,
                                       const std::optional<std::string>& cursor,
                                       size_t limit) const {
  const std::string needle = q ? FoldForSearch(*q) : "";
  return PagePrefix(
      view_keys::kQuickReply, cursor, limit, [&](const std::string& value) -> std::optional<json> {
        auto item = ParseObject(value);
        if (!item || !QuickReplyVisible(*item, viewer)) return std::nullopt;
        if (!needle.empty() &&
            FoldForSearch(item->value("shortcut", "")).find(needle) == std::string::npos &&
            FoldForSearch(item->value("text", "")).find(needle) == std::string::npos) {
          return std::nullopt;
        }
        return item;
      });
}

std::optional<json> ViewQueries::QuickReply(const std::optional<std::string>& viewer,
                                            const std::string& id) const {
  auto v = views_.Get(view_keys::kQuickReply + id);
  if (!v) return std::nullopt;
  auto item = ParseObject(*v);
  if (!item || (viewer && !QuickReplyVisible(*item, *viewer))) return std::nullopt;
  return item;
}

std::optional<std::string> ViewQueries::ConversationWithProtocol(
    const std::string& protocol) const {
  return views_.Get(view_keys::kConversationOfProtocol + protocol);
}

Result<Page> ViewQueries::Notifications(const std::string& user_id, bool unread_only,
                                        const std::optional<std::string>& cursor,
                                        size_t limit) const {
  return PagePrefix(NotificationPrefix(user_id), cursor, limit,
                    [&](const std::string& value) -> std::optional<json> {
                      auto item = ParseObject(value);
                      if (!item || (unread_only && item->value("read", false))) return std::nullopt;
                      return item;
                    });
}

int64_t ViewQueries::UnreadNotifications(const std::string& user_id) const {
  return Counter(UnreadNotificationsKey(user_id));
}

Result<Page> ViewQueries::Templates(const std::string& channel_id,
                                    const std::optional<std::string>& cursor, size_t limit) const {
  return PagePrefix(view_keys::kTemplate + channel_id + "/", cursor, limit, ParseObject);
}

std::optional<json> ViewQueries::Template(const std::string& channel_id,
                                          const std::string& id) const {
  auto v = views_.Get(view_keys::kTemplate + channel_id + "/" + id);
  if (!v) return std::nullopt;
  return ParseObject(*v);
}

std::optional<json> ViewQueries::Channel(const std::string& id) const {
  auto v = views_.Get(view_keys::kChannel + id);
  if (!v) return std::nullopt;
  return ParseObject(*v);
}

Result<Page> ViewQueries::Channels(const std::optional<std::string>& cursor, size_t limit) const {
  return PagePrefix(view_keys::kChannel, cursor, limit, ParseObject);
}

std::optional<json> ViewQueries::Contact(const std::string& id) const {
  auto v = views_.Get(view_keys::kContact + id);
  if (!v) return std::nullopt;
  return ParseObject(*v);
}

std::vector<nlohmann::json> ViewQueries::PendingDeliveries(
    const std::function<bool(const std::string&, const std::string&)>& wanted, size_t max) const {
  std::vector<nlohmann::json> out;
  const std::string prefix = kDeliveryQueuePrefix;
  auto it = views_.NewIterator();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && out.size() < max;
       it->Next()) {
    // dq/<conversation>/<message>: ids never hold a slash.
    const std::string key = it->key().ToString();
    const size_t slash = key.find('/', prefix.size());
    if (slash == std::string::npos) continue;
    if (!wanted(key.substr(prefix.size(), slash - prefix.size()), key.substr(slash + 1))) continue;
    nlohmann::json item = nlohmann::json::parse(it->value().ToString(), nullptr, false);
    if (item.is_object()) out.push_back(std::move(item));
  }
  return out;
}

std::vector<std::string> ViewQueries::DueAt(Timestamp now, size_t max) const {
  std::vector<std::string> out;
  auto it = views_.NewIterator();
  for (it->Seek(view_keys::kWakeDue);
       it->Valid() && it->key().starts_with(view_keys::kWakeDue) && out.size() < max; it->Next()) {
    const std::string key = it->key().ToString();
    if (key.size() < 10) continue;
    const int64_t until = static_cast<int64_t>(DecodeBigEndian64(key.data() + 2));
    if (until > now.ms) break;
    out.push_back(key.substr(10));
  }
  return out;
}

}  // namespace helpdesk
