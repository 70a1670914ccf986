#include "domain/conversation.h"

#include <algorithm>

#include "domain/events.h"
#include "domain/text.h"

namespace helpdesk {
namespace {

// One event, as a command's result.
std::vector<DomainEvent> Out(const events::Event& e) { return {events::Encode(e)}; }

// Status a conversation returns to when it stops being closed or stops waiting for the customer.
ConversationStatus WorkingStatus(const ConversationState& s) {
  return s.assignee_id ? ConversationStatus::kOpen : ConversationStatus::kQueued;
}

bool IsClosed(const ConversationState& s) { return s.status == ConversationStatus::kClosed; }

Error Missing(const ConversationState& s) { return NotFound("conversation " + s.id); }

Error Refused(const ConversationState& s, const std::string& what) {
  return InvalidTransition("cannot " + what + " a conversation that is " + StatusName(s.status));
}

// A close or deletion reason lands in reports and exports: no NUL, escape sequences or line
// breaks in it.
std::optional<Error> ReasonProblem(const std::string& reason) {
  if (HasControlCharacter(reason))
    return InvalidField("reason", "must not contain control characters");
  return std::nullopt;
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

void Evolve(ConversationState& s, const NewEvent& e, const std::optional<events::Event>& event,
            uint64_t stream_version) {
  s.version = stream_version;
  const std::string& t = e.type;
  if (t != ev::kMessageDelivered && t != ev::kMessageFailed) s.changed_version = stream_version;
  if (!event) return;
  std::visit(
      events::Overloaded{
          [&](const events::ConversationOpened& o) {
            s.exists = true;
            s.id = o.conversation_id;
            s.channel_id = o.channel_id;
            s.channel_type = o.channel_type;
            s.contact_id = o.contact_id;
            s.team_id = o.team_id;
            s.subject = o.subject;
            s.assignee_id = o.assignee_id;
            s.status = ParseStatus(o.status).value_or(ConversationStatus::kQueued);
            if (s.assignee_id) s.assigned_at = e.at;
            s.opened_at = e.at;
          },
          [&](const events::MessageReceived& m) {
            const Timestamp sent = m.sent_at.value_or(e.at);
            // Deliveries can arrive out of order: the wait starts at the oldest unanswered
            // message, and the last message is the newest one sent.
            if (!s.waiting_since || sent < *s.waiting_since) s.waiting_since = sent;
            if (!s.last_customer_message_at || sent > *s.last_customer_message_at) {
              s.last_customer_message_at = sent;
            }
            if (!s.last_message || sent >= s.last_message->at) {
              s.last_message = LastMessage{m.text, "in", sent};
            }
            ++s.unread;
            ++s.messages_count;
            if (s.status == ConversationStatus::kAwaitingCustomer) s.status = WorkingStatus(s);
          },
          [&](const events::MessageSent& m) {
            ++s.messages_count;
            if (!s.first_response_ms && s.last_customer_message_at) {
              s.first_response_ms = e.at.ms - s.opened_at.ms;
            }
            s.waiting_since.reset();
            s.last_message = LastMessage{m.text, "out", e.at};
            s.unread = 0;
            if (m.deliver) s.undelivered.insert(m.message_id);
          },
          [&](const events::MessageDelivered& d) { s.undelivered.erase(d.message_id); },
          [&](const events::MessageFailed& f) { s.undelivered.erase(f.message_id); },
          [&](const events::ConversationDeleted&) {
            s.deleted = true;
            s.postponed_until.reset();  // nothing wakes a deleted conversation
          },
          [&](const events::ConversationRead&) { s.unread = 0; },
          [&](const events::ParticipantAdded& p) { s.participants.insert(p.user_id); },
          [&](const events::ParticipantRemoved& p) { s.participants.erase(p.user_id); },
          [&](const events::ConversationIgnored& i) {
            if (i.until) s.ignored_until[i.user_id] = *i.until;
          },
          [&](const events::ConversationAssigned& a) {
            s.ignored_until.clear();
            s.assignee_id = a.assignee_id;
            s.assigned_at = e.at;
            if (s.status == ConversationStatus::kQueued) s.status = ConversationStatus::kOpen;
          },
          [&](const events::ConversationTransferred& x) {
            s.ignored_until.clear();  // a new owner or a new queue: nobody ignores it there yet
            if (x.to_team_id) s.team_id = x.to_team_id;
            if (x.to_user_id) {
              s.assignee_id = x.to_user_id;
              s.assigned_at = e.at;
              if (s.status == ConversationStatus::kQueued) s.status = ConversationStatus::kOpen;
            } else {
              s.assignee_id.reset();
              s.assigned_at.reset();
              s.status = ConversationStatus::kQueued;
            }
          },
          [&](const events::ConversationPostponed& p) {
            if (s.status != ConversationStatus::kPostponed) s.postponed_from = s.status;
            s.status = ConversationStatus::kPostponed;
            s.postponed_until = p.until;
          },
          [&](const events::ConversationWoke& w) {
            s.status = ParseStatus(w.to_status).value_or(WorkingStatus(s));
            s.postponed_until.reset();
          },
          [&](const events::ConversationDetailsChanged& d) {
            const auto apply = [](std::optional<std::string>& field,
                                  const std::optional<std::string>& value) {
              if (!value) return;
              if (value->empty()) {
                field.reset();
              } else {
                field = *value;
              }
            };
            apply(s.subject, d.subject);
            apply(s.type, d.type);
            apply(s.order_ref, d.order_ref);
          },
          [&](const events::ConversationTagged& g) { s.tags.insert(g.tag); },
          [&](const events::ConversationUntagged& g) { s.tags.erase(g.tag); },
          [&](const events::AwaitingCustomer&) {
            s.status = ConversationStatus::kAwaitingCustomer;
          },
          [&](const events::ConversationClosed& c) {
            s.status = ConversationStatus::kClosed;
            s.close_reason = c.reason;
            s.closed_at = e.at;
            s.resolution_ms = e.at.ms - s.opened_at.ms;
            s.waiting_since.reset();
            s.postponed_until.reset();
          },
          [&](const events::ConversationReopened& r) {
            s.status = ParseStatus(r.to_status).value_or(WorkingStatus(s));
            s.close_reason.reset();
            s.closed_at.reset();
          },
          [](const auto&) {},
      },
      *event);
}

namespace conversation {

Events DecideOpen(const ConversationState& s, const OpenArgs& a) {
  if (s.exists) return InvalidTransition("conversation " + a.id + " already exists");
  return Out(events::ConversationOpened{a.id, a.channel_id, a.channel_type, a.contact_id, a.team_id,
                                        a.assignee_id, a.subject, a.assignee_id ? "open" : "queued",
                                        a.assignee_id ? "template" : "customer"});
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
    out.push_back(events::Encode(events::ConversationWoke{"customer_message", StatusName(to)}));
  } else if (s.status == ConversationStatus::kClosed) {
    out.push_back(events::Encode(
        events::ConversationReopened{"customer_message", StatusName(WorkingStatus(s))}));
  }
  out.push_back(events::Encode(events::MessageReceived{
      m.message_id, m.external_id, m.text, std::min(m.sent_at, now), m.attachments, m.quoted}));
  return out;
}

Events DecideReply(const ConversationState& s, const Reply& r) {
  if (!s.exists) return Missing(s);
  if (IsClosed(s)) return Refused(s, "send a message to");
  std::vector<DomainEvent> out;
  if (r.is_private) {
    out.push_back(events::Encode(events::NoteAdded{r.message_id, r.author_id, r.text, r.mentions,
                                                   r.quick_reply_id, r.attachments}));
    return out;
  }
  out.push_back(events::Encode(events::MessageSent{r.message_id, r.author_id, r.text, r.await_reply,
                                                   r.quick_reply_id, r.template_id, r.attachments,
                                                   r.deliver}));
  if (r.await_reply && s.status != ConversationStatus::kAwaitingCustomer &&
      s.status != ConversationStatus::kPostponed) {
    out.push_back(events::Encode(events::AwaitingCustomer{}));
  }
  return out;
}

Events DecideTake(const ConversationState& s, const std::string& user_id) {
  if (!s.exists) return Missing(s);
  if (s.assignee_id) return InvalidTransition("conversation is already taken by " + *s.assignee_id);
  if (IsClosed(s) || s.status == ConversationStatus::kPostponed) return Refused(s, "take");
  return Out(events::ConversationAssigned{user_id, s.assignee_id, "take"});
}

Events DecideAssign(const ConversationState& s, const std::string& user_id) {
  if (!s.exists) return Missing(s);
  if (IsClosed(s) || s.status == ConversationStatus::kPostponed) return Refused(s, "assign");
  if (s.assignee_id == user_id) return std::vector<DomainEvent>{};  // already theirs: no-op
  return Out(events::ConversationAssigned{user_id, s.assignee_id, "assign"});
}

Events DecideTransfer(const ConversationState& s, const std::optional<std::string>& user_id,
                      const std::optional<std::string>& team_id,
                      const std::vector<std::string>& team_members) {
  if (!s.exists) return Missing(s);
  if (!user_id && !team_id) return InvalidField("user_id", "or team_id is required");
  if (IsClosed(s) || s.status == ConversationStatus::kPostponed) return Refused(s, "transfer");
  // To the one who has it already, in the team it is in: nothing moves (as with assign).
  if (user_id && *user_id == s.assignee_id && (!team_id || *team_id == s.team_id)) {
    return std::vector<DomainEvent>{};
  }
  return Out(events::ConversationTransferred{s.assignee_id, s.team_id, user_id, team_id,
                                             user_id ? std::vector<std::string>() : team_members});
}

Events DecidePostpone(const ConversationState& s, Timestamp until, Timestamp now) {
  if (!s.exists) return Missing(s);
  if (IsClosed(s)) return Refused(s, "postpone");
  if (until <= now) return InvalidField("until", "must be in the future");
  const ConversationStatus from =
      s.status == ConversationStatus::kPostponed ? s.postponed_from : s.status;
  return Out(events::ConversationPostponed{until, StatusName(from)});
}

Events DecideWake(const ConversationState& s, Timestamp now) {
  if (!s.exists) return Missing(s);
  if (s.status != ConversationStatus::kPostponed) return Refused(s, "wake");
  if (s.postponed_until && *s.postponed_until > now) {
    return InvalidTransition("conversation is postponed until " +
                             FormatRfc3339(*s.postponed_until));
  }
  return Out(events::ConversationWoke{"timer", StatusName(s.postponed_from)});
}

Events DecideTag(const ConversationState& s, const std::string& tag) {
  if (!s.exists) return Missing(s);
  if (s.tags.count(tag)) return std::vector<DomainEvent>{};  // already tagged: no-op
  return Out(events::ConversationTagged{tag});
}

Events DecideDetails(const ConversationState& s, const std::optional<std::string>& subject,
                     const std::optional<std::string>& type,
                     const std::optional<std::string>& order_ref) {
  if (!s.exists) return Missing(s);
  if (subject && subject->size() > 256) {
    return InvalidField("subject", "must be at most 256 bytes");
  }
  if (type && type->size() > 64) return InvalidField("type", "must be at most 64 bytes");
  // Only what changes: "" against an absent value is no change either.
  const auto changed = [](const std::optional<std::string>& current,
                          const std::optional<std::string>& value) -> std::optional<std::string> {
    if (!value || *value == current.value_or("")) return std::nullopt;
    return value;
  };
  events::ConversationDetailsChanged d{changed(s.subject, subject), changed(s.type, type),
                                       changed(s.order_ref, order_ref)};
  if (!d.subject && !d.type && !d.order_ref) return std::vector<DomainEvent>{};
  return Out(d);
}

Events DecideUntag(const ConversationState& s, const std::string& tag) {
  if (!s.exists) return Missing(s);
  if (!s.tags.count(tag)) return NotFound("tag '" + tag + "' on conversation " + s.id);
  return Out(events::ConversationUntagged{tag});
}

Events DecideClose(const ConversationState& s, const std::string& reason) {
  if (!s.exists) return Missing(s);
  if (reason.empty()) return InvalidField("reason", "must be a non-empty string");
  if (auto problem = ReasonProblem(reason)) return *problem;
  if (IsClosed(s)) return Refused(s, "close");
  return Out(events::ConversationClosed{reason});
}

Events DecideReopen(const ConversationState& s) {
  if (!s.exists) return Missing(s);
  if (!IsClosed(s)) return Refused(s, "reopen");
  return Out(events::ConversationReopened{"agent", StatusName(WorkingStatus(s))});
}

Events DecideRead(const ConversationState& s, const std::string& user_id) {
  if (!s.exists) return Missing(s);
  if (s.assignee_id != user_id || s.unread == 0) return std::vector<DomainEvent>{};
  return Out(events::ConversationRead{user_id, s.unread});
}

Events DecideInvite(const ConversationState& s, const std::string& user_id, const std::string& by) {
  if (!s.exists) return Missing(s);
  if (IsClosed(s)) return Refused(s, "invite someone into");
  if (s.assignee_id == user_id || s.participants.count(user_id)) {
    return std::vector<DomainEvent>{};  // already in
  }
  return Out(events::ParticipantAdded{user_id, by});
}

Events DecideLeave(const ConversationState& s, const std::string& user_id, const std::string& by) {
  if (!s.exists) return Missing(s);
  if (!s.participants.count(user_id)) {
    return NotFound("participant " + user_id + " in conversation " + s.id);
  }
  return Out(events::ParticipantRemoved{user_id, by});
}

Events DecideDelete(const ConversationState& s, const std::string& reason) {
  if (!s.exists || s.deleted) return Missing(s);
  if (auto problem = ReasonProblem(reason)) return *problem;
  return Out(events::ConversationDeleted{reason, StatusName(s.status)});
}

Events DecideDeliveryOutcome(const ConversationState& s, const DeliveryOutcome& o) {
  if (!s.exists) return Missing(s);
  if (!s.undelivered.count(o.message_id)) return std::vector<DomainEvent>{};
  if (o.delivered) {
    return Out(events::MessageDelivered{o.message_id, o.attempts, o.http_status});
  }
  return Out(events::MessageFailed{o.message_id, o.attempts, o.http_status, o.error});
}

Events DecideIgnore(const ConversationState& s, const std::string& user_id, Timestamp until,
                    Timestamp now) {
  if (!s.exists) return Missing(s);
  if (s.status != ConversationStatus::kQueued) return Refused(s, "ignore");
  if (until <= now) return InvalidField("until", "must be in the future");
  if (until.ms - now.ms > kMaxIgnoreMs)
    return InvalidField("until", "must be at most 7 days ahead");
  return Out(events::ConversationIgnored{user_id, until});
}

}  // namespace conversation
}  // namespace helpdesk
