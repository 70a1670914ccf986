// ConversationProjector: events of conversation streams into the conversation views — the
// rendered object, the inbox indexes, counters for the summary, messages, the timeline, the
// postpone schedule and the report cells. It evolves the state with the domain's own Evolve, so a
// rule such as "only a public reply clears waiting_since" is written once.
#pragma once

#include "domain/conversation.h"
#include "domain/event.h"
#include "projections/conversation_cache.h"
#include "projections/inbox_index.h"
#include "projections/report_projector.h"
#include "projections/view_keys.h"
#include "projections/view_txn.h"

namespace helpdesk {

class ConversationProjector {
 public:
  // Reads and changes conversations through `cache` and report cells through `reports` (the
  // step flushes both). `reports` is null while a rebuild of the reports is under way: the
  // conversation's report marks are then the rebuild's to give (rm/), and it takes them at its
  // first event after the rebuild.
  void Apply(const RecordedEvent& r, ViewTxn& txn, ConversationCache& cache,
             ReportAccumulator* reports) const;
};

// Keys of a user's notifications (newest first under the prefix) and their unread counter.
std::string NotificationPrefix(const std::string& user_id);
std::string NotificationKey(const std::string& user_id, Timestamp at, uint64_t position,
                            const std::string& event_id);
std::string UnreadNotificationsKey(const std::string& user_id);
// The delivery queue: one key per agent message waiting to go out through its channel's
// provider (domain/delivery.h), valued with what the delivery worker sends.
inline constexpr const char* kDeliveryQueuePrefix = view_keys::kDeliveryQueue;
// Key of one wake-up in the postpone schedule.
std::string DueKey(Timestamp until, const std::string& conversation_id);
// One item of a timeline: the event's actor, at, data, position, stream_version and type, as
// JSON text (GET …/timeline); with `with_stream`, its stream too (a contact's timeline, which
// mixes streams).
std::string TimelineItem(const RecordedEvent& r, bool with_stream = false);
// Where an event of the contact (or of one of its conversations) sits in its timeline: in time
// order, the position apart (positions of different partitions do not compare).
std::string ContactTimelineKey(const std::string& contact_id, Timestamp at, uint64_t position);
// A counter's value (0 when absent).
int64_t ReadCounter(const std::optional<std::string>& stored);

}  // namespace helpdesk
