#include "projections/directory_projector.h"

#include <algorithm>
#include <map>
#include <set>

#include "projections/conversation_projector.h"
#include "projections/conversation_view.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

json Load(ViewTxn& txn, const std::string& key) {
  auto v = txn.Get(key);
  if (!v) return json();
  return json::parse(*v, nullptr, false);
}

void AddToSortedArray(json& arr, const std::string& value) {
  if (!arr.is_array()) arr = json::array();
  std::vector<std::string> items = arr.get<std::vector<std::string>>();
  if (std::find(items.begin(), items.end(), value) != items.end()) return;
  items.push_back(value);
  std::sort(items.begin(), items.end());
  arr = items;
}

// Placeholders for a team or user whose creation is read after events that name it.
json TeamStub(const std::string& id) {
  return {{"id", id}, {"name", ""}, {"members", json::array()}};
}
json UserStub(const std::string& id) {
  return {{"id", id},
          {"name", ""},
          {"email", ""},
          {"role", "agent"},
          {"teams", json::array()},
          {"presence", "offline"}};
}

void CopyCardToConversations(ViewTxn& txn, ConversationCache& cache, const std::string& contact_id,
                             const ContactCard& card) {
  const std::string prefix = view_keys::kContactConversations + contact_id + "/";
  for (const std::string& key : txn.KeysWithPrefix(prefix)) {
    const std::string id = key.substr(prefix.size());
    ConversationView* view = nullptr;
    if (cache.Find(id, &view) != ConversationCache::Lookup::kFound) continue;
    view->contact = card;
    cache.MarkChanged(id);
  }
}

}  // namespace

void DirectoryProjector::Apply(const RecordedEvent& r, ViewTxn& txn,
                               ConversationCache& cache) const {
  const NewEvent& e = r.event;
  const json& d = e.data;
  if (e.type == ev::kUserCreated) {
    const std::string id = d.value("user_id", "");
    // A stub may exist already: on a partitioned log a team's events can be read first.
    json user = Load(txn, view_keys::kUser + id);
    json teams = user.is_object() ? user.value("teams", json::array()) : json::array();
    for (const auto& t : d.value("teams", json::array())) {
      AddToSortedArray(teams, t.get<std::string>());
      json team = Load(txn, view_keys::kTeam + t.get<std::string>());
      if (!team.is_object()) team = TeamStub(t.get<std::string>());
      AddToSortedArray(team["members"], id);
      txn.Put(view_keys::kTeam + t.get<std::string>(), team.dump());
    }
    user = json{{"id", id},
                {"name", d.value("name", "")},
                {"email", d.value("email", "")},
                {"role", d.value("role", "agent")},
                {"teams", teams},
                {"presence", user.is_object() ? user.value("presence", "offline") : "offline"}};
    txn.Put(view_keys::kUser + id, user.dump());
  } else if (e.type == ev::kUserPresenceChanged) {
    const std::string id = d.value("user_id", "");
    json user = Load(txn, view_keys::kUser + id);
    if (!user.is_object()) return;
    user["presence"] = d.value("status", "offline");
    txn.Put(view_keys::kUser + id, user.dump());
  } else if (e.type == ev::kProtocolIssued) {
    const std::string conversation = d.value("conversation_id", "");
    const std::string protocol = d.value("protocol", "");
    txn.Put(view_keys::kProtocolOf + conversation, protocol);
    txn.Put(view_keys::kConversationOfProtocol + protocol, conversation);
    ConversationView* view = nullptr;
    if (cache.Find(conversation, &view) == ConversationCache::Lookup::kFound) {
      view->state.protocol = protocol;
      cache.MarkChanged(conversation);
    }
  } else if (e.type == ev::kNotificationsRead) {
    const std::string user = d.value("user_id", "");
    // Named ones, and with `all_before` every one that happened by then (on a partitioned log a
    // later notification may be projected before this event: its time tells).
    std::map<std::string, bool> keys;  // key -> named (no time check)
    for (const auto& id : d.value("ids", json::array())) {
      if (id.is_string()) keys[NotificationPrefix(user) + id.get<std::string>()] = true;
    }
    const auto all_before = d.find("all_before");
    const auto before = all_before != d.end() && all_before->is_string()
                            ? ParseRfc3339(all_before->get<std::string>())
                            : std::nullopt;
    if (before) {
      for (const std::string& key : txn.KeysWithPrefix(NotificationPrefix(user))) {
        keys.emplace(key, false);
      }
    }
    for (const auto& [key, named] : keys) {
      json item = Load(txn, key);
      if (!item.is_object() || item.value("read", true)) continue;
      if (!named) {
        const auto at = ParseRfc3339(item.value("at", ""));
        if (!at || *before < *at) continue;
      }
      item["read"] = true;
      txn.Put(key, item.dump());
      txn.AddToCounter(UnreadNotificationsKey(user), -1);
    }
  } else if (e.type == ev::kTeamCreated) {
    const std::string id = d.value("team_id", "");
    json team = Load(txn, view_keys::kTeam + id);
    if (!team.is_object()) team = TeamStub(id);
    team["name"] = d.value("name", "");
    txn.Put(view_keys::kTeam + id, team.dump());
  } else if (e.type == ev::kTeamMemberAdded) {
    const std::string team_id = d.value("team_id", "");
    const std::string user_id = d.value("user_id", "");
    json team = Load(txn, view_keys::kTeam + team_id);
    json user = Load(txn, view_keys::kUser + user_id);
    if (!team.is_object()) team = TeamStub(team_id);
    if (!user.is_object()) user = UserStub(user_id);
    AddToSortedArray(team["members"], user_id);
    txn.Put(view_keys::kTeam + team_id, team.dump());
    AddToSortedArray(user["teams"], team_id);
    txn.Put(view_keys::kUser + user_id, user.dump());
  } else if (e.type == ev::kChannelCreated) {
    const std::string id = d.value("channel_id", "");
    txn.Put(view_keys::kChannel + id, json{{"id", id},
                                           {"type", d.value("type", "")},
                                           {"name", d.value("name", "")},
                                           {"address", d.value("address", "")},
                                           {"webhooks", false},
                                           {"outbound_url", nullptr}}
                                          .dump());
  } else if (e.type == ev::kChannelIntegrationSet) {
    // What the channel is connected to; the secrets stay in the log and the write model.
    const std::string id = d.value("channel_id", "");
    json stored = Load(txn, view_keys::kChannel + id);
    stored["webhooks"] = !d.value("app_secret", "").empty();
    const std::string url = d.value("outbound_url", "");
    stored["outbound_url"] = url.empty() ? json(nullptr) : json(url);
    txn.Put(view_keys::kChannel + id, stored.dump());
  } else if (e.type == ev::kContactCreated) {
    ContactCard card{d.value("contact_id", ""), d.value("name", ""), d.value("phone", ""),
                     d.value("email", ""), d.value("stage", "lead")};
    txn.Put(view_keys::kContact + card.id, ContactCardToJson(card).dump());
    // On a partitioned log the contact's stream may be read after its first conversation's.
    CopyCardToConversations(txn, cache, card.id, card);
  } else if (e.type == ev::kContactStageChanged) {
    const std::string id = d.value("contact_id", "");
    json stored = Load(txn, view_keys::kContact + id);
    if (!stored.is_object()) return;
    ContactCard card = ContactCardFromJson(stored);
    card.stage = d.value("stage", card.stage);
    txn.Put(view_keys::kContact + id, ContactCardToJson(card).dump());
    CopyCardToConversations(txn, cache, id, card);
  } else if (e.type == ev::kContactOptedIn || e.type == ev::kContactOptedOut) {
    const std::string id = d.value("contact_id", "");
    json stored = Load(txn, view_keys::kContact + id);
    if (!stored.is_object()) return;
    ContactCard card = ContactCardFromJson(stored);
    std::set<std::string> channels(card.opt_ins.begin(), card.opt_ins.end());
    if (e.type == ev::kContactOptedIn) {
      channels.insert(d.value("channel_id", ""));
    } else {
      channels.erase(d.value("channel_id", ""));
    }
    card.opt_ins.assign(channels.begin(), channels.end());
    txn.Put(view_keys::kContact + id, ContactCardToJson(card).dump());
    CopyCardToConversations(txn, cache, id, card);
  } else if (e.type == ev::kTemplateCreated) {
    const std::string id = d.value("template_id", "");
    txn.Put(view_keys::kTemplate + d.value("channel_id", "") + "/" + id,
            json{{"id", id},
                 {"channel_id", d.value("channel_id", "")},
                 {"name", d.value("name", "")},
                 {"body", d.value("body", "")},
                 {"params", d.value("params", 0)},
                 {"created_at", FormatRfc3339(e.at)}}
                .dump());
  } else if (e.type == ev::kContactBlocked || e.type == ev::kContactUnblocked) {
    const std::string id = d.value("contact_id", "");
    json stored = Load(txn, view_keys::kContact + id);
    if (!stored.is_object()) return;
    ContactCard card = ContactCardFromJson(stored);
    card.blocked = e.type == ev::kContactBlocked;
    txn.Put(view_keys::kContact + id, ContactCardToJson(card).dump());
    CopyCardToConversations(txn, cache, id, card);
  } else if (e.type == ev::kQuickReplyCreated || e.type == ev::kQuickReplyUpdated) {
    const std::string id = e.stream.substr(e.stream.find('/') + 1);
    json q = Load(txn, view_keys::kQuickReply + id);
    if (!q.is_object()) {
      q = json{
          {"id", id}, {"owner_id", d.value("owner_id", "")}, {"created_at", FormatRfc3339(e.at)}};
    }
    q["shortcut"] = d.value("shortcut", "");
    q["text"] = d.value("text", "");
    q["visibility"] = d.value("visibility", "public");
    q["updated_at"] = FormatRfc3339(e.at);
    txn.Put(view_keys::kQuickReply + id, q.dump());
  } else if (e.type == ev::kQuickReplyDeleted) {
    txn.Delete(view_keys::kQuickReply + e.stream.substr(e.stream.find('/') + 1));
  }
}

}  // namespace helpdesk
