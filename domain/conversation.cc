#include "domain/conversation.h"

#include <algorithm>

namespace helpdesk {
namespace {

using nlohmann::json;

json OptString(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

std::optional<std::string> GetOptString(const json& data, const char* key) {
  auto it = data.find(key);
  if (it == data.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<Timestamp> GetOptTime(const json& data, const char* key) {
  auto s = GetOptString(data, key);
  if (!s) return std::nullopt;
  return ParseRfc3339(*s);
}

// Status a conversation returns to when it stops being closed or stops waiting for the customer.
ConversationStatus WorkingStatus(const ConversationState& s) {
  return s.assignee_id ? ConversationStatus::kOpen : ConversationStatus::kQueued;
}

bool IsClosed(const ConversationState& s) { return s.status == ConversationStatus::kClosed; }

Error Missing(const ConversationState& s) { return NotFound("conversation " + s.id); }

Error Refused(const ConversationState& s, const std::string& what) {
  return InvalidTransition("cannot " + what + " a conversation that is " + StatusName(s.status));
}

}  // namespace

const char* StatusName(ConversationStatus s) {
  switch (s) {
    case ConversationStatus::kQueued:
      return "queued";
    case ConversationStatus::kOpen:
      return "open";
    case ConversationStatus::kAwaitingCustomer:
      return "awaiting_customer";
    case ConversationStatus::kPostponed:
      return "postponed";
    case ConversationStatus::kClosed:
      return "closed";
  }
  return "queued";
}

std::optional<ConversationStatus> ParseStatus(const std::string& name) {
  for (auto s : {ConversationStatus::kQueued, ConversationStatus::kOpen,
                 ConversationStatus::kAwaitingCustomer, ConversationStatus::kPostponed,
                 ConversationStatus::kClosed}) {
    if (name == StatusName(s)) return s;
  }
  return std::nullopt;
}

bool MatchesVersion(const ConversationState& s, uint64_t version) {
  return version >= s.changed_version && version <= s.version;
}

void Evolve(ConversationState& s, const NewEvent& e, uint64_t stream_version) {
  const json& d = e.data;
  s.version = stream_version;
  const std::string& t = e.type;
  if (t != ev::kMessageDelivered && t != ev::kMessageFailed) s.changed_version = stream_version;
  if (t == ev::kConversationOpened) {
    s.exists = true;
    s.id = d.value("conversation_id", "");
    s.channel_id = d.value("channel_id", "");
    s.channel_type = d.value("channel_type", "");
    s.contact_id = d.value("contact_id", "");
    s.team_id = GetOptString(d, "team_id");
    s.subject = GetOptString(d, "subject");
    s.assignee_id = GetOptString(d, "assignee_id");
    s.status = ParseStatus(d.value("status", "queued")).value_or(ConversationStatus::kQueued);
    if (s.assignee_id) s.assigned_at = e.at;
    s.opened_at = e.at;
  } else if (t == ev::kMessageReceived) {
    const Timestamp sent = GetOptTime(d, "sent_at").value_or(e.at);
    // Deliveries can arrive out of order: the wait starts at the oldest unanswered message, and
    // the last message is the newest one sent.
    if (!s.waiting_since || sent < *s.waiting_since) s.waiting_since = sent;
    if (!s.last_customer_message_at || sent > *s.last_customer_message_at) {
      s.last_customer_message_at = sent;
    }
    if (!s.last_message || sent >= s.last_message->at) {
      s.last_message = LastMessage{d.value("text", ""), "in", sent};
    }
    ++s.unread;
    if (s.status == ConversationStatus::kAwaitingCustomer) s.status = WorkingStatus(s);
  } else if (t == ev::kMessageSent) {
    s.waiting_since.reset();
    s.last_message = LastMessage{d.value("text", ""), "out", e.at};
    s.unread = 0;
    if (d.value("deliver", false)) s.undelivered.insert(d.value("message_id", ""));
  } else if (t == ev::kMessageDelivered || t == ev::kMessageFailed) {
    s.undelivered.erase(d.value("message_id", ""));
  } else if (t == ev::kConversationDeleted) {
    s.deleted = true;
    s.postponed_until.reset();  // nothing wakes a deleted conversation
  } else if (t == ev::kConversationRead) {
    s.unread = 0;
  } else if (t == ev::kParticipantAdded) {
    s.participants.insert(d.value("user_id", ""));
  } else if (t == ev::kParticipantRemoved) {
    s.participants.erase(d.value("user_id", ""));
  } else if (t == ev::kConversationIgnored) {
    if (auto until = GetOptTime(d, "until")) s.ignored_until[d.value("user_id", "")] = *until;
  } else if (t == ev::kConversationAssigned) {
    s.ignored_until.clear();
    s.assignee_id = GetOptString(d, "assignee_id");
    s.assigned_at = e.at;
    if (s.status == ConversationStatus::kQueued) s.status = ConversationStatus::kOpen;
  } else if (t == ev::kConversationTransferred) {
    auto to_user = GetOptString(d, "to_user_id");
    auto to_team = GetOptString(d, "to_team_id");
    s.ignored_until.clear();  // a new owner or a new queue: nobody ignores it there yet
    if (to_team) s.team_id = to_team;
    if (to_user) {
      s.assignee_id = to_user;
      s.assigned_at = e.at;
      if (s.status == ConversationStatus::kQueued) s.status = ConversationStatus::kOpen;
    } else {
      s.assignee_id.reset();
      s.assigned_at.reset();
      s.status = ConversationStatus::kQueued;
    }
  } else if (t == ev::kConversationPostponed) {
    if (s.status != ConversationStatus::kPostponed) s.postponed_from = s.status;
    s.status = ConversationStatus::kPostponed;
    s.postponed_until = GetOptTime(d, "until");
  } else if (t == ev::kConversationWoke) {
    s.status = ParseStatus(d.value("to_status", "")).value_or(WorkingStatus(s));
    s.postponed_until.reset();
  } else if (t == ev::kConversationTagged) {
    s.tags.insert(d.value("tag", ""));
  } else if (t == ev::kConversationUntagged) {
    s.tags.erase(d.value("tag", ""));
  } else if (t == ev::kAwaitingCustomer) {
    s.status = ConversationStatus::kAwaitingCustomer;
  } else if (t == ev::kConversationClosed) {
    s.status = ConversationStatus::kClosed;
    s.close_reason = GetOptString(d, "reason");
    s.closed_at = e.at;
    s.waiting_since.reset();
    s.postponed_until.reset();
  } else if (t == ev::kConversationReopened) {
    s.status = ParseStatus(d.value("to_status", "")).value_or(WorkingStatus(s));
    s.close_reason.reset();
    s.closed_at.reset();
  }
}

namespace conversation {

Events DecideOpen(const ConversationState& s, const OpenArgs& a) {
  if (s.exists) return InvalidTransition("conversation " + a.id + " already exists");
  return std::vector<DomainEvent>{{ev::kConversationOpened,
                                   {{"conversation_id", a.id},
                                    {"channel_id", a.channel_id},
                                    {"channel_type", a.channel_type},
                                    {"contact_id", a.contact_id},
                                    {"team_id", OptString(a.team_id)},
                                    {"assignee_id", OptString(a.assignee_id)},
                                    {"subject", OptString(a.subject)},
                                    {"status", a.assignee_id ? "open" : "queued"},
                                    {"origin", a.assignee_id ? "template" : "customer"}}}};
}

Events DecideReceive(const ConversationState& s, const InboundMessage& m, Timestamp now) {
  if (!s.exists) return Missing(s);
  std::vector<DomainEvent> out;
  if (s.status == ConversationStatus::kPostponed) {
    // A customer who writes does not wait for the snooze to end; coming back to
    // awaiting_customer would be wrong too, since the customer just answered.
    ConversationStatus to = s.postponed_from == ConversationStatus::kAwaitingCustomer
                                ? WorkingStatus(s)
                                : s.postponed_from;
    out.push_back(
        {ev::kConversationWoke, {{"cause", "customer_message"}, {"to_status", StatusName(to)}}});
  } else if (s.status == ConversationStatus::kClosed) {
    out.push_back({ev::kConversationReopened,
                   {{"cause", "customer_message"}, {"to_status", StatusName(WorkingStatus(s))}}});
  }
  out.push_back({ev::kMessageReceived,
                 {{"message_id", m.message_id},
                  {"external_id", m.external_id},
                  {"text", m.text},
                  {"sent_at", FormatRfc3339(std::min(m.sent_at, now))},
                  {"attachments", m.attachments},
                  {"quoted", m.quoted}}});
  return out;
}

Events DecideReply(const ConversationState& s, const Reply& r) {
  if (!s.exists) return Missing(s);
  if (IsClosed(s)) return Refused(s, "send a message to");
  std::vector<DomainEvent> out;
  if (r.is_private) {
    out.push_back({ev::kNoteAdded,
                   {{"message_id", r.message_id},
                    {"author_id", r.author_id},
                    {"text", r.text},
                    {"mentions", r.mentions},
                    {"quick_reply_id", OptString(r.quick_reply_id)}}});
    if (!r.attachments.empty()) out.back().data["attachments"] = r.attachments;
    return out;
  }
  out.push_back({ev::kMessageSent,
                 {{"message_id", r.message_id},
                  {"author_id", r.author_id},
                  {"text", r.text},
                  {"await_reply", r.await_reply},
                  {"quick_reply_id", OptString(r.quick_reply_id)},
                  {"template_id", OptString(r.template_id)}}});
  if (!r.attachments.empty()) out.back().data["attachments"] = r.attachments;
  if (r.deliver) out.back().data["deliver"] = true;
  if (r.await_reply && s.status != ConversationStatus::kAwaitingCustomer &&
      s.status != ConversationStatus::kPostponed) {
    out.push_back({ev::kAwaitingCustomer, json::object()});
  }
  return out;
}

Events DecideTake(const ConversationState& s, const std::string& user_id) {
  if (!s.exists) return Missing(s);
  if (s.assignee_id) return InvalidTransition("conversation is already taken by " + *s.assignee_id);
  if (IsClosed(s) || s.status == ConversationStatus::kPostponed) return Refused(s, "take");
  return std::vector<DomainEvent>{{ev::kConversationAssigned,
                                   {{"assignee_id", user_id},
                                    {"previous_assignee_id", OptString(s.assignee_id)},
                                    {"via", "take"}}}};
}

Events DecideAssign(const ConversationState& s, const std::string& user_id) {
  if (!s.exists) return Missing(s);
  if (IsClosed(s) || s.status == ConversationStatus::kPostponed) return Refused(s, "assign");
  if (s.assignee_id == user_id) return std::vector<DomainEvent>{};  // already theirs: no-op
  return std::vector<DomainEvent>{{ev::kConversationAssigned,
                                   {{"assignee_id", user_id},
                                    {"previous_assignee_id", OptString(s.assignee_id)},
                                    {"via", "assign"}}}};
}

Events DecideTransfer(const ConversationState& s, const std::optional<std::string>& user_id,
                      const std::optional<std::string>& team_id,
                      const std::vector<std::string>& team_members) {
  if (!s.exists) return Missing(s);
  if (!user_id && !team_id) return InvalidField("user_id", "or team_id is required");
  if (IsClosed(s) || s.status == ConversationStatus::kPostponed) return Refused(s, "transfer");
  return std::vector<DomainEvent>{
      {ev::kConversationTransferred,
       {{"from_user_id", OptString(s.assignee_id)},
        {"from_team_id", OptString(s.team_id)},
        {"to_user_id", OptString(user_id)},
        {"to_team_id", OptString(team_id)},
        {"team_members", user_id ? std::vector<std::string>() : team_members}}}};
}

Events DecidePostpone(const ConversationState& s, Timestamp until, Timestamp now) {
  if (!s.exists) return Missing(s);
  if (IsClosed(s)) return Refused(s, "postpone");
  if (until <= now) return InvalidField("until", "must be in the future");
  const ConversationStatus from =
      s.status == ConversationStatus::kPostponed ? s.postponed_from : s.status;
  return std::vector<DomainEvent>{
      {ev::kConversationPostponed,
       {{"until", FormatRfc3339(until)}, {"from_status", StatusName(from)}}}};
}

Events DecideWake(const ConversationState& s, Timestamp now) {
  if (!s.exists) return Missing(s);
  if (s.status != ConversationStatus::kPostponed) return Refused(s, "wake");
  if (s.postponed_until && *s.postponed_until > now) {
    return InvalidTransition("conversation is postponed until " +
                             FormatRfc3339(*s.postponed_until));
  }
  return std::vector<DomainEvent>{
      {ev::kConversationWoke, {{"cause", "timer"}, {"to_status", StatusName(s.postponed_from)}}}};
}

Events DecideTag(const ConversationState& s, const std::string& tag) {
  if (!s.exists) return Missing(s);
  if (s.tags.count(tag)) return std::vector<DomainEvent>{};  // already tagged: no-op
  return std::vector<DomainEvent>{{ev::kConversationTagged, {{"tag", tag}}}};
}

Events DecideUntag(const ConversationState& s, const std::string& tag) {
  if (!s.exists) return Missing(s);
  if (!s.tags.count(tag)) return NotFound("tag '" + tag + "' on conversation " + s.id);
  return std::vector<DomainEvent>{{ev::kConversationUntagged, {{"tag", tag}}}};
}

Events DecideClose(const ConversationState& s, const std::string& reason) {
  if (!s.exists) return Missing(s);
  if (reason.empty()) return InvalidField("reason", "must be a non-empty string");
  if (IsClosed(s)) return Refused(s, "close");
  return std::vector<DomainEvent>{{ev::kConversationClosed, {{"reason", reason}}}};
}

Events DecideReopen(const ConversationState& s) {
  if (!s.exists) return Missing(s);
  if (!IsClosed(s)) return Refused(s, "reopen");
  return std::vector<DomainEvent>{
      {ev::kConversationReopened,
       {{"cause", "agent"}, {"to_status", StatusName(WorkingStatus(s))}}}};
}

Events DecideRead(const ConversationState& s, const std::string& user_id) {
  if (!s.exists) return Missing(s);
  if (s.assignee_id != user_id || s.unread == 0) return std::vector<DomainEvent>{};
  return std::vector<DomainEvent>{
      {ev::kConversationRead, {{"user_id", user_id}, {"unread", s.unread}}}};
}

Events DecideInvite(const ConversationState& s, const std::string& user_id, const std::string& by) {
  if (!s.exists) return Missing(s);
  if (IsClosed(s)) return Refused(s, "invite someone into");
  if (s.assignee_id == user_id || s.participants.count(user_id)) {
    return std::vector<DomainEvent>{};  // already in
  }
  return std::vector<DomainEvent>{
      {ev::kParticipantAdded, {{"user_id", user_id}, {"invited_by", by}}}};
}

Events DecideLeave(const ConversationState& s, const std::string& user_id, const std::string& by) {
  if (!s.exists) return Missing(s);
  if (!s.participants.count(user_id)) {
    return NotFound("participant " + user_id + " in conversation " + s.id);
  }
  return std::vector<DomainEvent>{
      {ev::kParticipantRemoved, {{"user_id", user_id}, {"removed_by", by}}}};
}

Events DecideDelete(const ConversationState& s, const std::string& reason) {
  if (!s.exists || s.deleted) return Missing(s);
  return std::vector<DomainEvent>{
      {ev::kConversationDeleted, {{"reason", reason}, {"status", StatusName(s.status)}}}};
}

Events DecideDeliveryOutcome(const ConversationState& s, const DeliveryOutcome& o) {
  if (!s.exists) return Missing(s);
  if (!s.undelivered.count(o.message_id)) return std::vector<DomainEvent>{};
  if (o.delivered) {
    return std::vector<DomainEvent>{
        {ev::kMessageDelivered,
         {{"message_id", o.message_id}, {"attempts", o.attempts}, {"http_status", o.http_status}}}};
  }
  return std::vector<DomainEvent>{{ev::kMessageFailed,
                                   {{"message_id", o.message_id},
                                    {"attempts", o.attempts},
                                    {"http_status", o.http_status},
                                    {"error", o.error}}}};
}

Events DecideIgnore(const ConversationState& s, const std::string& user_id, Timestamp until,
                    Timestamp now) {
  if (!s.exists) return Missing(s);
  if (s.status != ConversationStatus::kQueued) return Refused(s, "ignore");
  if (until <= now) return InvalidField("until", "must be in the future");
  if (until.ms - now.ms > kMaxIgnoreMs)
    return InvalidField("until", "must be at most 7 days ahead");
  return std::vector<DomainEvent>{
      {ev::kConversationIgnored, {{"user_id", user_id}, {"until", FormatRfc3339(until)}}}};
}

}  // namespace conversation
}  // namespace helpdesk
