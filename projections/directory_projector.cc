#include "projections/directory_projector.h"

#include <algorithm>
#include <map>
#include <set>

#include "domain/directory.h"
#include "domain/events.h"
#include "domain/json_text.h"
#include "projections/conversation_projector.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

void AddToSortedArray(json& arr, const std::string& value) {
  if (!arr.is_array()) arr = json::array();
  std::vector<std::string> items = arr.get<std::vector<std::string>>();
  if (std::find(items.begin(), items.end(), value) != items.end()) return;
  items.push_back(value);
  std::sort(items.begin(), items.end());
  arr = items;
}

void RemoveFromArray(json& arr, const std::string& value) {
  if (!arr.is_array()) return;
  arr.erase(std::remove(arr.begin(), arr.end(), json(value)), arr.end());
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
          {"presence", "offline"},
          {"active", true},
          {"avatar_url", nullptr}};
}

}  // namespace

void DirectoryProjector::Apply(const RecordedEvent& r, ViewTxn& txn,
                               ConversationCache& cache) const {
  const NewEvent& e = r.event;
  if (e.stream.starts_with("contact/")) {
    const std::optional<events::Event> event = events::Decode(e);  // once, for all three
    contacts_.Apply(r, event, txn, cache);
    funnels_.Apply(r, event, txn);       // its funnel stage
    tasks_.ApplyContact(r, event, txn);  // a merge moves its tasks
    return;
  }
  if (e.stream.starts_with("deal/") || e.stream.starts_with("funnel/")) {
    funnels_.Apply(r, txn);
    return;
  }
  if (e.stream.starts_with("import/")) {
    imports_.Apply(r, txn);
    return;
  }
  if (e.stream.starts_with("task/") || e.stream.starts_with("task_type/") ||
      e.stream.starts_with("task_schedule/")) {
    tasks_.Apply(r, txn);
    return;
  }
  const std::optional<events::Event> event = events::Decode(e);
  if (!event) return;
  auto put_quick_reply = [&](const std::string& owner_id, const std::string& shortcut,
                             const std::string& text, const std::string& visibility) {
    const std::string id = e.stream.substr(e.stream.find('/') + 1);
    json q = LoadJson(txn, view_keys::kQuickReply + id);
    if (!q.is_object()) {
      q = json{{"id", id}, {"owner_id", owner_id}, {"created_at", FormatRfc3339(e.at)}};
    }
    q["shortcut"] = shortcut;
    q["text"] = text;
    q["visibility"] = visibility;
    q["updated_at"] = FormatRfc3339(e.at);
    txn.Put(view_keys::kQuickReply + id, DumpJson(q));
  };
  std::visit(
      events::Overloaded{
          [&](const events::UserCreated& u) {
            // A stub may exist already: on a partitioned log a team's events can be read first.
            json user = LoadJson(txn, view_keys::kUser + u.user_id);
            json teams = user.is_object() ? user.value("teams", json::array()) : json::array();
            for (const auto& t : u.teams) {
              AddToSortedArray(teams, t);
              json team = LoadJson(txn, view_keys::kTeam + t);
              if (!team.is_object()) team = TeamStub(t);
              AddToSortedArray(team["members"], u.user_id);
              txn.Put(view_keys::kTeam + t, DumpJson(team));
            }
            user =
                json{{"id", u.user_id},
                     {"name", u.name},
                     {"email", u.email},
                     {"role", u.role},
                     {"teams", teams},
                     {"presence", user.is_object() ? user.value("presence", "offline") : "offline"},
                     {"active", true},
                     {"avatar_url", nullptr}};
            txn.Put(view_keys::kUser + u.user_id, DumpJson(user));
            if (!u.token_sha256.empty()) {
              txn.Put(view_keys::kUserToken + u.user_id + "/" + kInitialTokenId,
                      json{{"token_id", kInitialTokenId},
                           {"name", kInitialTokenId},
                           {"created_at", FormatRfc3339(e.at)},
                           {"expires_at", nullptr}}
                          .dump());
            }
          },
          [&](const events::UserUpdated& u) {
            json user = LoadJson(txn, view_keys::kUser + u.user_id);
            if (!user.is_object()) return;
            if (u.name) user["name"] = *u.name;
            if (u.email) user["email"] = *u.email;
            if (u.role) user["role"] = *u.role;
            if (u.avatar_url) {
              user["avatar_url"] = u.avatar_url->empty() ? json(nullptr) : json(*u.avatar_url);
            }
            if (u.active) {
              user["active"] = *u.active;
              if (!*u.active) user["presence"] = "offline";
            }
            txn.Put(view_keys::kUser + u.user_id, DumpJson(user));
          },
          [&](const events::UserTokenIssued& t) {
            txn.Put(view_keys::kUserToken + t.user_id + "/" + t.token_id,
                    json{{"token_id", t.token_id},
                         {"name", t.name},
                         {"created_at", FormatRfc3339(e.at)},
                         {"expires_at",
                          t.expires_at ? json(FormatRfc3339(*t.expires_at)) : json(nullptr)}}
                        .dump());
          },
          [&](const events::UserTokenRevoked& t) {
            // A revoked token leaves the list: it can never be used again.
            txn.Delete(view_keys::kUserToken + t.user_id + "/" + t.token_id);
          },
          [&](const events::UserPresenceChanged& p) {
            json user = LoadJson(txn, view_keys::kUser + p.user_id);
            if (!user.is_object()) return;
            user["presence"] = p.status;
            txn.Put(view_keys::kUser + p.user_id, DumpJson(user));
          },
          [&](const events::ProtocolIssued& p) {
            txn.Put(view_keys::kProtocolOf + p.conversation_id, p.protocol);
            txn.Put(view_keys::kConversationOfProtocol + p.protocol, p.conversation_id);
            ConversationView* view = nullptr;
            if (cache.Find(p.conversation_id, &view) == ConversationCache::Lookup::kFound) {
              view->state.protocol = p.protocol;
              cache.MarkChanged(p.conversation_id);
            }
          },
          [&](const events::DeskSettingsUpdated& d) {
            json settings = LoadJson(txn, view_keys::kDeskSettings);
            if (!settings.is_object()) settings = json{{"agent_visibility", "all"}};
            if (d.agent_visibility) settings["agent_visibility"] = *d.agent_visibility;
            if (d.close_reasons) settings["close_reasons"] = *d.close_reasons;
            settings["updated_at"] = FormatRfc3339(e.at);
            txn.Put(view_keys::kDeskSettings, DumpJson(settings));
          },
          [&](const events::ContactAttributeDefined& a) {
            txn.Put(view_keys::kContactAttribute + a.key, json{{"key", a.key},
                                                               {"label", a.label},
                                                               {"type", a.type},
                                                               {"options", a.options},
                                                               {"updated_at", FormatRfc3339(e.at)}}
                                                              .dump());
          },
          [&](const events::NotificationsRead& n) {
            // Named ones, and with `all_before` every one that happened by then (on a
            // partitioned log a later notification may be projected before this event: its
            // time tells).
            std::map<std::string, bool> keys;  // key -> named (no time check)
            for (const auto& id : n.ids) keys[NotificationPrefix(n.user_id) + id] = true;
            const auto before = n.all_before ? ParseRfc3339(*n.all_before) : std::nullopt;
            if (before) {
              for (const std::string& key : txn.KeysWithPrefix(NotificationPrefix(n.user_id))) {
                keys.emplace(key, false);
              }
            }
            for (const auto& [key, named] : keys) {
              json item = LoadJson(txn, key);
              if (!item.is_object() || item.value("read", true)) continue;
              if (!named) {
                const auto at = ParseRfc3339(item.value("at", ""));
                if (!at || *before < *at) continue;
              }
              item["read"] = true;
              txn.Put(key, DumpJson(item));
              txn.AddToCounter(UnreadNotificationsKey(n.user_id), -1);
            }
          },
          [&](const events::TeamCreated& t) {
            json team = LoadJson(txn, view_keys::kTeam + t.team_id);
            if (!team.is_object()) team = TeamStub(t.team_id);
            team["name"] = t.name;
            txn.Put(view_keys::kTeam + t.team_id, DumpJson(team));
          },
          [&](const events::TeamMemberAdded& m) {
            json team = LoadJson(txn, view_keys::kTeam + m.team_id);
            json user = LoadJson(txn, view_keys::kUser + m.user_id);
            if (!team.is_object()) team = TeamStub(m.team_id);
            if (!user.is_object()) user = UserStub(m.user_id);
            AddToSortedArray(team["members"], m.user_id);
            txn.Put(view_keys::kTeam + m.team_id, DumpJson(team));
            AddToSortedArray(user["teams"], m.team_id);
            txn.Put(view_keys::kUser + m.user_id, DumpJson(user));
          },
          [&](const events::TeamMemberRemoved& m) {
            json team = LoadJson(txn, view_keys::kTeam + m.team_id);
            json user = LoadJson(txn, view_keys::kUser + m.user_id);
            if (team.is_object()) {
              RemoveFromArray(team["members"], m.user_id);
              txn.Put(view_keys::kTeam + m.team_id, DumpJson(team));
            }
            if (user.is_object()) {
              RemoveFromArray(user["teams"], m.team_id);
              txn.Put(view_keys::kUser + m.user_id, DumpJson(user));
            }
          },
          [&](const events::ChannelCreated& c) {
            txn.Put(view_keys::kChannel + c.channel_id, json{{"id", c.channel_id},
                                                             {"type", c.type},
                                                             {"name", c.name},
                                                             {"address", c.address},
                                                             {"webhooks", false},
                                                             {"outbound_url", nullptr}}
                                                            .dump());
          },
          [&](const events::ChannelIntegrationSet& i) {
            // What the channel is connected to; the secrets stay in the log and the write model.
            json stored = LoadJson(txn, view_keys::kChannel + i.channel_id);
            stored["webhooks"] = !i.app_secret.empty();
            stored["outbound_url"] = i.outbound_url.empty() ? json(nullptr) : json(i.outbound_url);
            txn.Put(view_keys::kChannel + i.channel_id, DumpJson(stored));
          },
          [&](const events::TemplateCreated& t) {
            txn.Put(view_keys::kTemplate + t.channel_id + "/" + t.template_id,
                    json{{"id", t.template_id},
                         {"channel_id", t.channel_id},
                         {"name", t.name},
                         {"body", t.body},
                         {"params", t.params},
                         {"created_at", FormatRfc3339(e.at)}}
                        .dump());
          },
          [&](const events::QuickReplyCreated& q) {
            put_quick_reply(q.owner_id, q.shortcut, q.text, q.visibility);
          },
          [&](const events::QuickReplyUpdated& q) {
            put_quick_reply("", q.shortcut, q.text, q.visibility);
          },
          [&](const events::QuickReplyDeleted&) {
            txn.Delete(view_keys::kQuickReply + e.stream.substr(e.stream.find('/') + 1));
          },
          [](const auto&) {},
      },
      *event);
}

}  // namespace helpdesk
