#include "projections/contact_projector.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <vector>

#include "adapters/event_codec.h"
#include "adapters/rocks_status.h"
#include "domain/contact.h"
#include "domain/events.h"
#include "domain/json_text.h"
#include "domain/personal_data.h"
#include "projections/contact_list.h"
#include "projections/conversation_projector.h"
#include "projections/tag_catalog.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json StageObject(const std::string& stage, const std::string& funnel_id = "default") {
  if (stage.empty()) return nullptr;
  return json{{"funnel_id", funnel_id}, {"stage_id", stage}};
}

json ObjectOrEmpty(const json& j) { return j.is_object() ? j : json::object(); }

// The card of `contact` (its API object) to each of its conversations. Most contacts have none
// yet when they change (an import's): the card is made only for the first one found.
void CopyCardToConversations(ViewTxn& txn, ConversationCache& cache, const std::string& contact_id,
                             const json& contact) {
  const std::string prefix = view_keys::kContactConversations + contact_id + "/";
  std::optional<ContactCard> card;
  for (const std::string& key : txn.KeysWithPrefix(prefix)) {
    const std::string id = key.substr(prefix.size());
    ConversationView* view = nullptr;
    if (cache.Find(id, &view) != ConversationCache::Lookup::kFound) continue;
    if (!card) card = CardOfContact(contact);
    view->contact = *card;
    cache.MarkChanged(id);
  }
}

// A new contact's API object. Its members go in in key order, each at the end of the object's
// map, without a search (a contact is made per row of an import).
json NewContactObject(const std::string& id, const events::ContactCreated& c, Timestamp at,
                      uint64_t version) {
  json contact = json::object();
  auto& members = contact.get_ref<json::object_t&>();
  const std::string when = FormatRfc3339(at);
  const auto add = [&members](const char* key, json value) {
    members.emplace_hint(members.end(), key, std::move(value));
  };
  add("attributes", ObjectOrEmpty(c.attributes));
  add("blocked", false);
  add("created_at", when);
  add("email", OrNull(c.email));
  add("erased", false);
  add("id", id);
  add("merged_into", nullptr);
  add("name", c.name);
  add("notes_count", 0);
  add("opt_in", false);
  add("opt_ins", json::array());
  add("owner_id", OrNull(c.owner_id.value_or("")));
  add("phone", OrNull(c.phone));
  add("social", ObjectOrEmpty(c.social));
  add("stage", StageObject(c.stage));
  add("tags", c.tags);
  add("updated_at", when);
  add("version", version);
  return contact;
}

// Replaces in `fields` the personal data an event of `type` carries (domain/personal_data.h)
// with "[erased]": exactly what a replay, opening the same events without the key, shows.
void Scrub(json& fields, const std::string& type) {
  if (!fields.is_object()) return;
  for (const std::string& field : PersonalFields(type)) {
    auto it = fields.find(field);
    if (it == fields.end()) continue;
    const bool sealed = (it->is_string() && !it->get_ref<const std::string&>().empty()) ||
                        (it->is_object() && !it->empty());
    if (sealed) *it = kErased;
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
      txn.Put(key, DumpJson(item));
    }
  }
  for (const std::string& key : txn.KeysWithPrefix(view_keys::kDeliveryQueue + id + "/")) {
    txn.Delete(key);
  }
}

// The items of `from` not in `without` (both sorted).
std::vector<std::string> Without(const std::vector<std::string>& from,
                                 const std::vector<std::string>& without) {
  std::vector<std::string> left;
  std::set_difference(from.begin(), from.end(), without.begin(), without.end(),
                      std::back_inserter(left));
  return left;
}

// Stores the contact object and moves its list keys and counters from `before`'s to its own.
void PutContact(ViewTxn& txn, const json& before, const json& contact) {
  const std::string id = contact.value("id", "");
  ContactIndexEntries new_entries = ContactIndexEntriesOf(contact);
  if (!before.is_object()) {  // a new contact (an import's every row): its keys move in
    for (std::string& key : new_entries.list_keys) txn.Put(std::move(key), id);
    for (const std::string& scope : new_entries.count_scopes) {
      txn.AddToCounter(ContactCountKey(scope), +1);
    }
  } else {
    const ContactIndexEntries old_entries = ContactIndexEntriesOf(before);
    for (const std::string& key : Without(old_entries.list_keys, new_entries.list_keys)) {
      txn.Delete(key);
    }
    for (const std::string& key : Without(new_entries.list_keys, old_entries.list_keys)) {
      txn.Put(key, id);
    }
    for (const std::string& scope : Without(old_entries.count_scopes, new_entries.count_scopes)) {
      txn.AddToCounter(ContactCountKey(scope), -1);
    }
    for (const std::string& scope : Without(new_entries.count_scopes, old_entries.count_scopes)) {
      txn.AddToCounter(ContactCountKey(scope), +1);
    }
  }
  txn.Put(view_keys::kContact + id, DumpJson(contact));
}

// In time order (positions of different partitions do not compare), the position apart.
std::string NoteKey(const std::string& contact_id, Timestamp at, uint64_t position) {
  return view_keys::kContactNotes + contact_id + "/" +
         EncodeBigEndian64(static_cast<uint64_t>(at.ms)) + EncodeBigEndian64(position);
}

// The contact's own events in its timeline with their personal data "[erased]" (its
// conversations' items are scrubbed where they live, tl/).
void ScrubOwnTimeline(ViewTxn& txn, const std::string& id) {
  for (const std::string& key : txn.KeysWithPrefix(view_keys::kContactTimeline + id + "/")) {
    json item = LoadJson(txn, key);
    if (!item.is_object() || !item.contains("data")) continue;
    Scrub(item["data"], item.value("type", ""));
    txn.Put(key, DumpJson(item));
  }
}

// What erasure leaves of a card: its shape, no personal data.
void EraseCard(json& contact) {
  contact["erased"] = true;
  contact["name"] = kErased;
  contact["phone"] = nullptr;
  contact["email"] = nullptr;
  contact["opt_ins"] = json::array();
  contact["opt_in"] = false;
  contact["attributes"] = json::object();
  contact["social"] = json::object();
}

// The text of the contact's notes, and of the mentions they made, "[erased]".
void ScrubNotes(ViewTxn& txn, const std::string& id) {
  for (const std::string& key : txn.KeysWithPrefix(view_keys::kContactNotes + id + "/")) {
    json note = LoadJson(txn, key);
    if (!note.is_object()) continue;
    note["text"] = kErased;
    txn.Put(key, DumpJson(note));
  }
  const std::string told = view_keys::kContactNoteNotifications + id + "/";
  for (const std::string& key : txn.KeysWithPrefix(told)) {
    json notification = LoadJson(txn, key.substr(told.size()));
    if (!notification.is_object()) continue;
    notification["text"] = kErased;
    txn.Put(key.substr(told.size()), DumpJson(notification));
  }
}

// A merged duplicate's conversations, notes and their mentions become the survivor's.
void MoveToSurvivor(ViewTxn& txn, ConversationCache& cache, const std::string& from,
                    const std::string& into, const ContactCard& card) {
  const std::string conversations = view_keys::kContactConversations + from + "/";
  for (const std::string& key : txn.KeysWithPrefix(conversations)) {
    const std::string conversation = key.substr(conversations.size());
    txn.Delete(key);
    txn.Put(view_keys::kContactConversations + into + "/" + conversation, "");
    ConversationView* view = nullptr;
    if (cache.Find(conversation, &view) != ConversationCache::Lookup::kFound) continue;
    view->state.contact_id = into;
    view->contact = card;
    cache.MarkChanged(conversation);
  }
  for (const char* prefix : {view_keys::kContactNotes, view_keys::kContactNoteNotifications,
                             view_keys::kContactOrders, view_keys::kContactTimeline}) {
    const std::string old_prefix = prefix + from + "/";
    for (const std::string& key : txn.KeysWithPrefix(old_prefix)) {
      auto value = txn.Get(key);
      txn.Delete(key);
      if (!value) continue;
      const std::string new_key = prefix + into + "/" + key.substr(old_prefix.size());
      // An order the survivor has under the same external id stays the survivor's.
      if (std::string_view(prefix) == view_keys::kContactOrders && txn.Get(new_key)) continue;
      std::string moved = *value;
      if (std::string_view(prefix) == view_keys::kContactNotes) {
        json note = json::parse(moved, nullptr, false);
        if (note.is_object()) {
          note["contact_id"] = into;
          moved = DumpJson(note);
        }
      }
      txn.Put(prefix + into + "/" + key.substr(old_prefix.size()), moved);
    }
  }
}

}  // namespace

ContactCard CardOfContact(const json& contact) { return ContactCardFromJson(contact); }

void ContactProjector::Apply(const RecordedEvent& r, const std::optional<events::Event>& event,
                             ViewTxn& txn, ConversationCache& cache) const {
  const NewEvent& e = r.event;
  if (!event) return;
  const std::string id = e.stream.substr(e.stream.find('/') + 1);
  const auto* c = events::As<events::ContactCreated>(event);
  // A contact's stream begins with its creation, and the views apply each event once: the
  // stream's first event has nothing of it in them to read. (A creation later in a stream, which
  // our commands never write, still moves what the views hold.)
  const json before = c && r.stream_version == 1 ? json() : LoadJson(txn, view_keys::kContact + id);
  txn.Put(ContactTimelineKey(id, e.at, r.position), TimelineItem(r, /*with_stream=*/true));

  if (c) {
    const json contact = NewContactObject(id, *c, e.at, r.stream_version);
    PutContact(txn, before, contact);
    RecordTagsAdded(txn, {}, {c->tags.begin(), c->tags.end()}, e.at);
    // On a partitioned log the contact's stream may be read after its first conversation's,
    // which left a mark: a point read, where looking for conversations of every new contact
    // took a seek (an import makes one per row).
    const std::string awaited = view_keys::kContactCardAwaited + id;
    if (txn.Get(awaited)) {
      txn.Delete(awaited);
      CopyCardToConversations(txn, cache, id, contact);
    }
    return;
  }
  if (!before.is_object()) return;  // a contact's later event without its creation
  json contact = before;
  contact["updated_at"] = FormatRfc3339(e.at);
  contact["version"] = r.stream_version;
  bool card_changed = true;  // what conversations show of the contact
  std::string moved_from;    // a duplicate merged into this contact
  std::visit(
      events::Overloaded{
          [&](const events::ContactUpdated& u) {
            if (u.name) contact["name"] = *u.name;
            if (u.phone) contact["phone"] = OrNull(*u.phone);
            if (u.email) contact["email"] = OrNull(*u.email);
            if (u.tags) {
              RecordTagsAdded(txn, before.value("tags", std::set<std::string>()),
                              {u.tags->begin(), u.tags->end()}, e.at);
              contact["tags"] = *u.tags;
            }
            if (u.attributes.is_object()) {
              contact["attributes"] = MergeFlat(contact["attributes"], u.attributes);
            }
            if (u.social.is_object()) contact["social"] = MergeFlat(contact["social"], u.social);
          },
          [&](const events::ContactOwnerChanged& o) {
            contact["owner_id"] = OrNull(o.owner_id.value_or(""));
            card_changed = false;
          },
          [&](const events::ContactStageChanged& s) {
            if (!s.to.empty()) contact["stage"] = StageObject(s.to, s.funnel_id);
          },
          [&](const events::ContactOptedIn& o) {
            std::set<std::string> channels = contact.value("opt_ins", std::set<std::string>());
            channels.insert(o.channel_id);
            contact["opt_ins"] = channels;
          },
          [&](const events::ContactOptedOut& o) {
            std::set<std::string> channels = contact.value("opt_ins", std::set<std::string>());
            channels.erase(o.channel_id);
            contact["opt_ins"] = channels;
          },
          [&](const events::ContactBlocked&) { contact["blocked"] = true; },
          [&](const events::ContactUnblocked&) { contact["blocked"] = false; },
          [&](const events::ContactNoteAdded& n) {
            card_changed = false;
            contact["notes_count"] = contact.value("notes_count", 0) + 1;
            txn.Put(NoteKey(id, e.at, r.position), json{{"id", n.note_id},
                                                        {"contact_id", id},
                                                        {"author_id", n.author_id},
                                                        {"text", n.text},
                                                        {"mentions", n.mentions},
                                                        {"at", FormatRfc3339(e.at)}}
                                                       .dump());
            for (const std::string& user_id : n.mentions) {
              const std::string key = NotificationKey(user_id, e.at, r.position, e.id);
              txn.Put(key, json{{"id", key.substr(NotificationPrefix(user_id).size())},
                                {"kind", "mention"},
                                {"conversation_id", nullptr},
                                {"contact_id", id},
                                {"actor", ActorToJson(e.actor)},
                                {"at", FormatRfc3339(e.at)},
                                {"read", false},
                                {"text", n.text.substr(0, 280)}}
                               .dump());
              txn.AddToCounter(UnreadNotificationsKey(user_id), +1);
              txn.Put(view_keys::kContactNoteNotifications + id + "/" + key, "");
            }
          },
          [&](const events::ContactErased& x) {
            EraseCard(contact);
            ScrubNotes(txn, id);
            ScrubOwnTimeline(txn, id);
            for (const std::string& merged : x.merged_ids) {
              json duplicate = LoadJson(txn, view_keys::kContact + merged);
              if (!duplicate.is_object()) continue;
              json erased = duplicate;
              EraseCard(erased);
              PutContact(txn, duplicate, erased);
            }
            std::set<std::string> conversations(x.conversation_ids.begin(),
                                                x.conversation_ids.end());
            const std::string prefix = view_keys::kContactConversations + id + "/";
            for (const std::string& key : txn.KeysWithPrefix(prefix)) {
              conversations.insert(key.substr(prefix.size()));
            }
            for (const std::string& conversation : conversations) {
              ScrubConversation(txn, cache, conversation);
            }
          },
          [&](const events::OrderRecorded& o) {
            card_changed = false;
            json order = o.order;
            // Conversations linked to the order show its news.
            const std::string external_id = order.value("external_id", "");
            const std::string linked = view_keys::kContactConversations + id + "/";
            for (const std::string& key : txn.KeysWithPrefix(linked)) {
              ConversationView* view = nullptr;
              if (cache.Find(key.substr(linked.size()), &view) !=
                  ConversationCache::Lookup::kFound) {
                continue;
              }
              if (view->state.order_ref != external_id) continue;
              view->order = OrderLink(external_id, order);
              cache.MarkChanged(key.substr(linked.size()));
            }
            const std::string key =
                view_keys::kContactOrders + id + "/" + order.value("external_id", "");
            json known = LoadJson(txn, key);
            order["recorded_at"] =
                known.is_object() ? known.value("recorded_at", json()) : json(FormatRfc3339(e.at));
            order["updated_at"] = FormatRfc3339(e.at);
            txn.Put(key, DumpJson(order));
          },
          [&](const events::ContactsMerged& m) {
            card_changed = false;  // the conversations below take the survivor's card
            json duplicate = LoadJson(txn, view_keys::kContact + m.from);
            if (duplicate.is_object()) {
              json merged = duplicate;
              merged["merged_into"] = id;
              merged["updated_at"] = FormatRfc3339(e.at);
              PutContact(txn, duplicate, merged);
              contact["notes_count"] =
                  contact.value("notes_count", 0) + duplicate.value("notes_count", 0);
            }
            moved_from = m.from;
          },
          [&](const auto&) { card_changed = false; },
      },
      *event);
  contact["opt_in"] = !contact.value("opt_ins", json::array()).empty();
  PutContact(txn, before, contact);
  if (!moved_from.empty()) MoveToSurvivor(txn, cache, moved_from, id, CardOfContact(contact));
  if (card_changed) CopyCardToConversations(txn, cache, id, contact);
}

}  // namespace helpdesk
