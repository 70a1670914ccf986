// The conversation aggregate: its state, the rules that decide what a command does to it, and
// how each event changes it. Pure: no I/O, the time of the command is passed in.
//
// Status machine ("any" = queued, open, awaiting_customer, postponed):
//
//             take / assign / transfer(user)
//   queued ───────────────────────────────────> open <──────────────┐
//     ^  ^                                       │  ^               │ customer writes
//     │  └────── transfer(team only) ────────────┤  │               │
//     │                                          │  └─ reply ──┐    │
//     │                          reply(await_reply)            │    │
//     │                                          v             │    │
//     │                                 awaiting_customer ─────┴────┘
//     │
//   any ── postpone(until > now) ──> postponed ── at `until` or customer writes ──> former status
//   any ── close(reason) ──> closed ── reopen (by hand, or customer writes within 7 days)
//                                       ──> open if it has an assignee, else queued
//
// Tags can be added/removed in every status; messages and notes in every status but closed.
// Colleagues can be invited in (participants) in every status but closed, and leave any time.
// An agent can ignore a queued conversation for a while (at most a week): it leaves their own
// queue until then, or until someone takes it.
// An admin can delete a conversation in any status: it is gone from every view and takes no
// command any more; its events stay in the log for auditors.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/event.h"
#include "domain/events.h"
#include "domain/evolve.h"
#include "domain/result.h"
#include "domain/time.h"

namespace helpdesk {

enum class ConversationStatus { kQueued, kOpen, kAwaitingCustomer, kPostponed, kClosed };
const char* StatusName(ConversationStatus s);
std::optional<ConversationStatus> ParseStatus(const std::string& name);

struct LastMessage {
  std::string text;
  std::string direction;  // "in" | "out"
  Timestamp at;
};

struct ConversationState {
  bool exists = false;
  bool deleted = false;
  uint64_t version = 0;  // stream version of the last applied event
  // Stream version of the last event that changed what an agent acts on: all but delivery
  // receipts. If-Match accepts any version from here to `version` (MatchesVersion).
  uint64_t changed_version = 0;
  std::string id;
  std::string channel_id;
  std::string channel_type;  // recorded when it opened: rules such as WhatsApp's window need it
  std::string contact_id;
  ConversationStatus status = ConversationStatus::kQueued;
  std::optional<std::string> assignee_id;
  std::optional<std::string> team_id;
  std::set<std::string> tags;
  std::set<std::string> participants;  // colleagues invited in, besides the assignee
  // Its ticket protocol ("2026-000123"), from the year's protocol stream (domain/protocol.h).
  std::optional<std::string> protocol;
  // Who hides it from their queue, until when (cleared once someone has it).
  std::map<std::string, Timestamp> ignored_until;
  std::optional<std::string> subject;
  std::optional<LastMessage> last_message;
  int unread = 0;  // customer messages since the assignee last read or replied
  std::optional<Timestamp> waiting_since;
  // When the customer last wrote (their newest `sent_at`): opens WhatsApp's 24-hour window.
  std::optional<Timestamp> last_customer_message_at;
  std::optional<Timestamp> assigned_at;
  std::optional<Timestamp> postponed_until;
  ConversationStatus postponed_from = ConversationStatus::kQueued;
  std::optional<std::string> close_reason;
  Timestamp opened_at;
  std::optional<Timestamp> closed_at;
  std::optional<std::string> type;       // what it is about ("troca", "dúvida"…), set by users
  std::optional<std::string> order_ref;  // the external id of the contact's order it is about
  // Public messages both ways (notes apart).
  uint64_t messages_count = 0;
  // From opening to the first public reply of an agent after the customer wrote, and from
  // opening to its latest close (milliseconds); absent until known.
  std::optional<int64_t> first_response_ms;
  std::optional<int64_t> resolution_ms;
  // Agents' messages on their way to the channel's outbound URL (domain/delivery.h): sent with
  // `deliver`, not yet MessageDelivered or MessageFailed.
  std::set<std::string> undelivered;
};

// Applies one event of the conversation's stream (`decoded`: events::Decode of it; a projector
// decodes each event once; domain/evolve.h decodes it for a caller that has not). Unknown types
// leave the state unchanged.
void Evolve(ConversationState& state, const NewEvent& event,
            const std::optional<events::Event>& decoded, uint64_t stream_version);

// Optimistic concurrency: a client that saw `version` may act when nothing but delivery
// receipts (MessageDelivered, MessageFailed, recorded by the server in the background) came
// since; otherwise it acts on a conversation that changed under it (409 version_conflict).
bool MatchesVersion(const ConversationState& s, uint64_t version);

namespace conversation {

using Events = Result<std::vector<DomainEvent>>;

struct OpenArgs {
  std::string id, channel_id, contact_id;
  std::optional<std::string> team_id, subject;
  // Started by an agent with a template: theirs from the start ("open"); otherwise a customer
  // message opened it and it waits in the queue.
  std::optional<std::string> assignee_id = {};
  std::string channel_type = {};
};
Events DecideOpen(const ConversationState& s, const OpenArgs& args);

struct InboundMessage {
  std::string message_id, external_id, text;
  Timestamp sent_at;        // already clamped: never in the future
  std::string quoted = {};  // an e-mail's quoted history, split from `text` (domain/email_text.h)
  nlohmann::json attachments = nlohmann::json::array();
};
// A customer message joining this conversation: wakes it if postponed, reopens it if closed
// (the caller checked the reopen window, see routing.h).
Events DecideReceive(const ConversationState& s, const InboundMessage& m, Timestamp now);

struct Reply {
  std::string message_id, author_id, text;
  bool is_private = false;
  bool await_reply = false;
  std::vector<std::string> mentions;                     // user ids mentioned in a note
  std::optional<std::string> quick_reply_id = {};        // the quick reply it was sent from
  std::optional<std::string> template_id = {};           // the template it was rendered from
  nlohmann::json attachments = nlohmann::json::array();  // references (domain/attachment.h)
  bool deliver = false;  // public, on a channel with an outbound URL: to be delivered there
};
Events DecideReply(const ConversationState& s, const Reply& r);

Events DecideTake(const ConversationState& s, const std::string& user_id);
Events DecideAssign(const ConversationState& s, const std::string& user_id);
// `team_members`: who is in `team_id` now (recorded, so a replay notifies the same people).
Events DecideTransfer(const ConversationState& s, const std::optional<std::string>& user_id,
                      const std::optional<std::string>& team_id,
                      const std::vector<std::string>& team_members = {});
Events DecidePostpone(const ConversationState& s, Timestamp until, Timestamp now);
// The scheduler's wake-up: only a postponed conversation whose time has come.
Events DecideWake(const ConversationState& s, Timestamp now);
Events DecideTag(const ConversationState& s, const std::string& tag);
Events DecideUntag(const ConversationState& s, const std::string& tag);
Events DecideClose(const ConversationState& s, const std::string& reason);
// A user's edit of the subject, type and linked order (absent: unchanged; "": cleared). Only
// changed fields are recorded; none changed is a no-op. Subject at most 256 bytes, type 1–64
// bytes; whether the order exists is the command's check (it needs the contact).
Events DecideDetails(const ConversationState& s, const std::optional<std::string>& subject,
                     const std::optional<std::string>& type,
                     const std::optional<std::string>& order_ref);
Events DecideReopen(const ConversationState& s);
// `user_id` read the conversation: when they are its assignee and something is unread, the
// unread count goes back to 0. Anyone else reading it changes nothing.
Events DecideRead(const ConversationState& s, const std::string& user_id);
// `user_id` is invited in by `by` (not into a closed conversation; the assignee and present
// participants are already in: nothing changes).
Events DecideInvite(const ConversationState& s, const std::string& user_id, const std::string& by);
// `user_id` leaves, or is removed by `by`; refused for someone who is not a participant.
Events DecideLeave(const ConversationState& s, const std::string& user_id, const std::string& by);
constexpr int64_t kMaxIgnoreMs = 7 * kDayMs;
// `user_id` hides a queued conversation from their queue until `until` (in the future, at most
// a week ahead).
Events DecideIgnore(const ConversationState& s, const std::string& user_id, Timestamp until,
                    Timestamp now);
// An admin deletes the conversation; `reason` is kept in the event for auditors.
Events DecideDelete(const ConversationState& s, const std::string& reason);

// The outcome of delivering agent message `message_id` to the channel. No events when it is not
// (or no longer) waiting for delivery: a second node reporting the same outcome changes nothing.
struct DeliveryOutcome {
  std::string message_id;
  bool delivered = false;
  int attempts = 0;
  int http_status = 0;  // the receiver's last answer; 0 when none came
  std::string error;    // why it failed (MessageFailed)
  friend bool operator==(const DeliveryOutcome&, const DeliveryOutcome&) = default;
};
Events DecideDeliveryOutcome(const ConversationState& s, const DeliveryOutcome& outcome);

}  // namespace conversation
}  // namespace helpdesk
