#include "projections/directory_projector.h"

#include <algorithm>
#include <map>
#include <set>

#include "domain/directory.h"
#include "domain/events.h"
#include "domain/personal_data.h"
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
          {"presence", "offline"},
          {"active", true},
          {"avatar_url", nullptr}};
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

// Replaces in `fields` the personal data an event of `type` carries (domain/personal_data.h)
// with "[erased]": exactly what a replay, opening the same events without the key, shows.
void Scrub(json& fields, const std::string& type) {
  if (!fields.is_object()) return;
  for (const std::string& field : PersonalFields(type)) {
    auto it = fields.find(field);
    if (it != fields.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      *it = kErased;
    }
  }
}

// The event type a stored message item was made from (conversation_projector.cc).
std::string MessageItemType(const json& item) {
  if (item.value("private", false)) return ev::kNoteAdded;
  return item.value("direction", "") == "in" ? ev::kMessageReceived : ev::kMessageSent;
}

// An erased contact's conversation: its view, messages and timeline keep their shape with the
// personal data "[erased]"; replies still waiting for delivery are not sent.
void ScrubConversation(ViewTxn& txn, ConversationCache& cache, const std::string& id) {
  ConversationView* view = nullptr;
  if (cache.Find(id, &view) == ConversationCache::Lookup::kFound) {
    if (view->state.last_message) view->state.last_message->text = kErased;
    if (view->state.subject) view->state.subject = kErased;
    cache.MarkChanged(id);
  }
  for (const char* prefix : {view_keys::kMessages, view_keys::kTimeline}) {
    for (const std::string& key : txn.KeysWithPrefix(prefix + id + "/")) {
      auto stored = txn.Get(key);
      if (!stored) continue;
      json item = json::parse(*stored, nullptr, false);
      if (!item.is_object()) continue;
      if (std::string_view(prefix) == view_keys::kMessages) {
        Scrub(item, MessageItemType(item));
      } else if (item.contains("data")) {
        Scrub(item["data"], item.value("type", ""));
      }
      txn.Put(key, item.dump());
    }
  }
  for (const std::string& key : txn.KeysWithPrefix(view_keys::kDeliveryQueue + id + "/")) {
    txn.Delete(key);
  }
}

}  // namespace

void DirectoryProjector::Apply(const RecordedEvent& r, ViewTxn& txn,
                               ConversationCache& cache) const {
  const NewEvent& e = r.event;
  const std::optional<events::Event> event = events::Decode(e);
  if (!event) return;
  // A contact's card changed: stored, and copied into its conversations' views.
  auto update_card = [&](const std::string& id, const auto& change) {
    json stored = Load(txn, view_keys::kContact + id);
    if (!stored.is_object()) return;
    ContactCard card = ContactCardFromJson(stored);
    change(card);
    txn.Put(view_keys::kContact + id, ContactCardToJson(card).dump());
    CopyCardToConversations(txn, cache, id, card);
  };
  auto set_opt_in = [&](const std::string& contact_id, const std::string& channel_id, bool in) {
    update_card(contact_id, [&](ContactCard& card) {
      std::set<std::string> channels(card.opt_ins.begin(), card.opt_ins.end());
      if (in) {
        channels.insert(channel_id);
      } else {
        channels.erase(channel_id);
      }
      card.opt_ins.assign(channels.begin(), channels.end());
    });
  };
  auto put_quick_reply = [&](const std::string& owner_id, const std::string& shortcut,
                             const std::string& text, const std::string& visibility) {
    const std::string id = e.stream.substr(e.stream.find('/') + 1);
    json q = Load(txn, view_keys::kQuickReply + id);
    if (!q.is_object()) {
      q = json{{"id", id}, {"owner_id", owner_id}, {"created_at", FormatRfc3339(e.at)}};
    }
    q["shortcut"] = shortcut;
    q["text"] = text;
    q["visibility"] = visibility;
    q["updated_at"] = FormatRfc3339(e.at);
    txn.Put(view_keys::kQuickReply + id, q.dump());
  };
  std::visit(
      events::Overloaded{
          [&](const events::UserCreated& u) {
            // A stub may exist already: on a partitioned log a team's events can be read first.
            json user = Load(txn, view_keys::kUser + u.user_id);
            json teams = user.is_object() ? user.value("teams", json::array()) : json::array();
            for (const auto& t : u.teams) {
              AddToSortedArray(teams, t);
              json team = Load(txn, view_keys::kTeam + t);
              if (!team.is_object()) team = TeamStub(t);
              AddToSortedArray(team["members"], u.user_id);
              txn.Put(view_keys::kTeam + t, team.dump());
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
            txn.Put(view_keys::kUser + u.user_id, user.dump());
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
            json user = Load(txn, view_keys::kUser + u.user_id);
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
            txn.Put(view_keys::kUser + u.user_id, user.dump());
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
            json user = Load(txn, view_keys::kUser + p.user_id);
            if (!user.is_object()) return;
            user["presence"] = p.status;
            txn.Put(view_keys::kUser + p.user_id, user.dump());
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
            json settings = Load(txn, view_keys::kDeskSettings);
            if (!settings.is_object()) settings = json{{"agent_visibility", "all"}};
            if (d.agent_visibility) settings["agent_visibility"] = *d.agent_visibility;
            if (d.close_reasons) settings["close_reasons"] = *d.close_reasons;
            settings["updated_at"] = FormatRfc3339(e.at);
            txn.Put(view_keys::kDeskSettings, settings.dump());
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
              json item = Load(txn, key);
              if (!item.is_object() || item.value("read", true)) continue;
              if (!named) {
                const auto at = ParseRfc3339(item.value("at", ""));
                if (!at || *before < *at) continue;
              }
              item["read"] = true;
              txn.Put(key, item.dump());
              txn.AddToCounter(UnreadNotificationsKey(n.user_id), -1);
            }
          },
          [&](const events::TeamCreated& t) {
            json team = Load(txn, view_keys::kTeam + t.team_id);
            if (!team.is_object()) team = TeamStub(t.team_id);
            team["name"] = t.name;
            txn.Put(view_keys::kTeam + t.team_id, team.dump());
          },
          [&](const events::TeamMemberAdded& m) {
            json team = Load(txn, view_keys::kTeam + m.team_id);
            json user = Load(txn, view_keys::kUser + m.user_id);
            if (!team.is_object()) team = TeamStub(m.team_id);
            if (!user.is_object()) user = UserStub(m.user_id);
            AddToSortedArray(team["members"], m.user_id);
            txn.Put(view_keys::kTeam + m.team_id, team.dump());
            AddToSortedArray(user["teams"], m.team_id);
            txn.Put(view_keys::kUser + m.user_id, user.dump());
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
            json stored = Load(txn, view_keys::kChannel + i.channel_id);
            stored["webhooks"] = !i.app_secret.empty();
            stored["outbound_url"] = i.outbound_url.empty() ? json(nullptr) : json(i.outbound_url);
            txn.Put(view_keys::kChannel + i.channel_id, stored.dump());
          },
          [&](const events::ContactCreated& c) {
            ContactCard card{c.contact_id, c.name, c.phone, c.email, c.stage};
            txn.Put(view_keys::kContact + card.id, ContactCardToJson(card).dump());
            // On a partitioned log the contact's stream may be read after its first
            // conversation's.
            CopyCardToConversations(txn, cache, card.id, card);
          },
          [&](const events::ContactStageChanged& c) {
            update_card(c.contact_id, [&](ContactCard& card) {
              if (!c.stage.empty()) card.stage = c.stage;
            });
          },
          [&](const events::ContactOptedIn& o) { set_opt_in(o.contact_id, o.channel_id, true); },
          [&](const events::ContactOptedOut& o) { set_opt_in(o.contact_id, o.channel_id, false); },
          [&](const events::ContactBlocked& b) {
            update_card(b.contact_id, [](ContactCard& card) { card.blocked = true; });
          },
          [&](const events::ContactUnblocked& b) {
            update_card(b.contact_id, [](ContactCard& card) { card.blocked = false; });
          },
          [&](const events::ContactErased& x) {
            update_card(x.contact_id, [](ContactCard& card) {
              card.erased = true;
              card.name = kErased;
              card.phone.clear();
              card.email.clear();
              card.opt_ins.clear();
            });
            std::set<std::string> conversations(x.conversation_ids.begin(),
                                                x.conversation_ids.end());
            const std::string prefix = view_keys::kContactConversations + x.contact_id + "/";
            for (const std::string& key : txn.KeysWithPrefix(prefix)) {
              conversations.insert(key.substr(prefix.size()));
            }
            for (const std::string& id : conversations) ScrubConversation(txn, cache, id);
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
