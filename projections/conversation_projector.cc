#include "projections/conversation_projector.h"

#include <spdlog/spdlog.h>

#include "adapters/event_codec.h"
#include "adapters/rocks_status.h"
#include "domain/events.h"
#include "domain/json_text.h"
#include "domain/notifications.h"
#include "projections/conversation_view.h"
#include "projections/inbox_index.h"
#include "projections/tag_catalog.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

std::string PositionKey(const char* prefix, const std::string& id, uint64_t position) {
  std::string k = prefix + id;
  k.push_back('/');
  return k + EncodeBigEndian64(position);
}

// One message of the conversation, as GET …/messages shows it.
std::optional<json> MessageItem(const NewEvent& e, const std::optional<events::Event>& event) {
  if (const auto* m = events::As<events::MessageReceived>(event)) {
    return json{{"id", m->message_id},
                {"direction", "in"},
                {"private", false},
                {"author_id", nullptr},
                {"text", m->text},
                {"quoted", m->quoted},
                {"attachments", m->attachments},
                {"at", FormatRfc3339(m->sent_at.value_or(e.at))}};
  }
  auto out = [&](const auto& m, bool is_private, bool deliver) {
    return json{{"id", m.message_id},
                {"direction", "out"},
                {"private", is_private},
                {"author_id", m.author_id},
                {"text", m.text},
                {"attachments", m.attachments},
                {"quick_reply_id", m.quick_reply_id ? json(*m.quick_reply_id) : json(nullptr)},
                // pending, delivered or failed when it goes through the channel's provider
                {"delivery", deliver ? json("pending") : json(nullptr)},
                {"at", FormatRfc3339(e.at)}};
  };
  if (const auto* m = events::As<events::MessageSent>(event)) return out(*m, false, m->deliver);
  if (const auto* n = events::As<events::NoteAdded>(event)) return out(*n, true, false);
  return std::nullopt;
}

// Keeps the delivery queue and each delivered message's `delivery` field. A message to deliver
// enters the queue (dq/<conversation>/<message>) and remembers where its item is
// (md/<conversation>/<message>); its outcome marks the item and leaves the queue.
void ProjectDelivery(const RecordedEvent& r, const std::optional<events::Event>& event,
                     ViewTxn& txn, const ConversationState& s) {
  if (const auto* sent = events::As<events::MessageSent>(event)) {
    if (!sent->deliver) return;
    const std::string suffix = s.id + "/" + sent->message_id;
    txn.Put(view_keys::kMessageByPosition + suffix,
            PositionKey(view_keys::kMessages, s.id, r.position));
    txn.Put(std::string(kDeliveryQueuePrefix) + suffix,
            json{{"conversation_id", s.id},
                 {"message_id", sent->message_id},
                 {"channel_id", s.channel_id},
                 {"text", sent->text},
                 {"attachments", sent->attachments},
                 {"template_id", sent->template_id ? json(*sent->template_id) : json(nullptr)},
                 {"sent_at", FormatRfc3339(r.event.at)}}
                .dump());
    return;
  }
  const auto* delivered = events::As<events::MessageDelivered>(event);
  const auto* failed = events::As<events::MessageFailed>(event);
  if (!delivered && !failed) return;
  const std::string suffix = s.id + "/" + (delivered ? delivered->message_id : failed->message_id);
  if (auto item_key = txn.Get(view_keys::kMessageByPosition + suffix)) {
    if (auto stored = txn.Get(*item_key)) {
      json item = json::parse(*stored, nullptr, false);
      if (item.is_object()) {
        item["delivery"] = delivered ? "delivered" : "failed";
        item["delivery_attempts"] = delivered ? delivered->attempts : failed->attempts;
        if (failed) item["delivery_error"] = failed->error;
        txn.Put(*item_key, DumpJson(item));
      }
    }
    txn.Delete(view_keys::kMessageByPosition + suffix);
  }
  txn.Delete(std::string(kDeliveryQueuePrefix) + suffix);
}

// The marks a rebuild of the reports counted for conversation `id` replace those counted with
// another definition (or none, while the rebuild ran).
void AdoptRebuiltMarks(const std::string& id, ViewTxn& txn, ConversationView& view) {
  const std::string key = view_keys::kRebuiltReportMarks + id;
  auto rebuilt = txn.Get(key);
  view.report = rebuilt ? DecodeReportMarks(*rebuilt) : ReportMarks();
  view.report_definition = kReportDefinitionVersion;
  if (rebuilt) txn.Delete(key);
}

}  // namespace

std::string NotificationPrefix(const std::string& user_id) {
  return view_keys::kNotifications + user_id + "/";
}
// One entry of GET …/timeline: what json{…}.dump() would write (keys in order), without copying
// the event's payload into a new object first (the hot path of a replay).
std::string TimelineItem(const RecordedEvent& r, bool with_stream) {
  const NewEvent& e = r.event;
  std::string out = "{\"actor\":";
  AppendActorJson(out, e.actor);
  out += ",\"at\":\"";
  AppendRfc3339(out, e.at);
  out += "\",\"data\":";
  AppendJson(out, e.data);
  out += ",\"position\":";
  out += std::to_string(r.position);
  if (with_stream) {
    out += ",\"stream\":";
    AppendJsonString(out, e.stream);
  }
  out += ",\"stream_version\":";
  out += std::to_string(r.stream_version);
  out += ",\"type\":";
  AppendJsonString(out, e.type);
  out += "}";
  return out;
}

std::string ContactTimelineKey(const std::string& contact_id, Timestamp at, uint64_t position) {
  return view_keys::kContactTimeline + contact_id + "/" +
         EncodeBigEndian64(static_cast<uint64_t>(at.ms)) + EncodeBigEndian64(position);
}

std::string NotificationKey(const std::string& user_id, Timestamp at, uint64_t position,
                            const std::string& event_id) {
  // Newest first: the time inverted, then (two in the same millisecond) the log position
  // inverted, as fixed-width hex so the id stays printable.
  char inverted[33];
  std::snprintf(inverted, sizeof inverted, "%016llx%016llx",
                static_cast<unsigned long long>(UINT64_MAX - static_cast<uint64_t>(at.ms)),
                static_cast<unsigned long long>(UINT64_MAX - position));
  return NotificationPrefix(user_id) + inverted + event_id;
}
std::string UnreadNotificationsKey(const std::string& user_id) { return "n/ntu/" + user_id; }

std::string DueKey(Timestamp until, const std::string& conversation_id) {
  return view_keys::kWakeDue + EncodeBigEndian64(static_cast<uint64_t>(until.ms)) + conversation_id;
}
int64_t ReadCounter(const std::optional<std::string>& stored) {
  if (!stored || stored->size() != 8) return 0;
  return static_cast<int64_t>(DecodeBigEndian64(stored->data()));
}

void ViewTxn::AddToCounter(const std::string& key, int64_t delta) {
  const int64_t value = ReadCounter(Get(key)) + delta;
  // Zero is no key: a replay that nets +1 and -1 inside one step never writes the key at all,
  // and its views must equal the incremental ones byte for byte.
  if (value == 0) {
    Delete(key);
    return;
  }
  Put(key, EncodeBigEndian64(static_cast<uint64_t>(value)));
}

void ConversationProjector::Apply(const RecordedEvent& r, ViewTxn& txn, ConversationCache& cache,
                                  ReportAccumulator* reports) const {
  const NewEvent& e = r.event;
  const std::string id = e.stream.substr(e.stream.find('/') + 1);
  ConversationView* found = nullptr;
  switch (cache.Find(id, &found)) {
    case ConversationCache::Lookup::kFound:
      break;
    case ConversationCache::Lookup::kUnreadable:
      spdlog::error("conversation view {} is unreadable; skipping event {}", id, r.position);
      return;
    case ConversationCache::Lookup::kMissing:
      if (e.type != ev::kConversationOpened) {
        spdlog::warn("event {} for unknown conversation {} skipped", r.position, id);
        return;
      }
      found = &cache.Create(id);
      break;
  }
  ConversationView& view = *found;
  const ConversationState before = view.state;
  const std::optional<events::Event> event = events::Decode(e);  // once, for every reader below
  Evolve(view.state, e, event, r.stream_version);
  const ConversationState& after = view.state;
  if (before.order_ref != after.order_ref) {
    view.order = after.order_ref
                     ? OrderLink(*after.order_ref,
                                 LoadJson(txn, view_keys::kContactOrders + after.contact_id + "/" +
                                                   *after.order_ref))
                     : json(nullptr);
  }
  if (before.tags != after.tags) RecordTagsAdded(txn, before.tags, after.tags, e.at);
  if (!reports) {
    view.report_definition = 0;
  } else {
    if (view.report_definition != kReportDefinitionVersion) AdoptRebuiltMarks(id, txn, view);
    if (auto measure = MeasureConversationEvent(before, after, e, event, view.report)) {
      reports->Add(*measure);
    }
  }
  const auto* note = events::As<events::NoteAdded>(event);
  for (const Notification& n : NotificationsFor(e, event)) {
    const std::string key = NotificationKey(n.user_id, e.at, r.position, e.id);
    json item{{"id", key.substr(NotificationPrefix(n.user_id).size())},
              {"kind", n.kind},
              {"conversation_id", id},
              {"actor", ActorToJson(e.actor)},
              {"at", FormatRfc3339(e.at)},
              {"read", false}};
    if (n.kind == "mention" && note) item["text"] = note->text.substr(0, 280);
    txn.Put(key, DumpJson(item));
    txn.AddToCounter(UnreadNotificationsKey(n.user_id), +1);
  }

  if (e.type == ev::kConversationOpened) {
    if (auto card = txn.Get(view_keys::kContact + after.contact_id)) {
      view.contact = ContactCardFromJson(json::parse(*card, nullptr, false));
    } else {
      txn.Put(view_keys::kContactCardAwaited + after.contact_id, "");
    }
    view.contact.id = after.contact_id;
    if (view.state.channel_type.empty()) {
      // Opened before events recorded the channel's type: the channel's view has it (on a
      // partitioned log only if its stream was read first).
      if (auto channel = txn.Get(view_keys::kChannel + after.channel_id)) {
        view.state.channel_type = json::parse(*channel, nullptr, false).value("type", "");
      }
    }
    txn.Put(view_keys::kContactConversations + after.contact_id + "/" + id, "");
    // Its protocol may have been read first, from another partition.
    if (auto protocol = txn.Get(view_keys::kProtocolOf + id)) view.state.protocol = *protocol;
  }

  // Inbox index keys and counters follow the state when the step flushes (the cache).
  if (before.postponed_until != after.postponed_until) {
    if (before.postponed_until) txn.Delete(DueKey(*before.postponed_until, id));
    if (after.postponed_until) txn.Insert(DueKey(*after.postponed_until, id), "");
  }

  if (after.deleted) {
    // Gone from every view: its messages, timeline, the contact's link to it and itself (the
    // index keys, counters and wake-up went with the state above). The log keeps the events.
    for (const char* prefix : {view_keys::kMessages, view_keys::kTimeline,
                               view_keys::kMessageByPosition, view_keys::kDeliveryQueue}) {
      for (const std::string& key : txn.KeysWithPrefix(prefix + id + "/")) txn.Delete(key);
    }
    txn.Delete(view_keys::kContactConversations + after.contact_id + "/" + id);
    cache.MarkDeleted(id);
    return;
  }
  if (auto message = MessageItem(e, event))
    txn.Put(PositionKey(view_keys::kMessages, id, r.position), message->dump());
  const std::string item_key = PositionKey(view_keys::kTimeline, id, r.position);
  txn.Put(item_key, TimelineItem(r));
  // The customer's whole history points at the item: an erasure scrubs it in one place.
  if (!after.contact_id.empty()) {
    txn.Put(ContactTimelineKey(after.contact_id, e.at, r.position), item_key);
  }
  ProjectDelivery(r, event, txn, after);

  cache.MarkChanged(id);
}

}  // namespace helpdesk
