// What the reports count, in one place: which event adds what to which metric, at what time,
// for which channel, team and agent; slots, local hours and shifts. Pure: the projector
// (projections/report_projector.h) stores what these rules measure, the queries only add up.
//
// Definitions (docs/architecture.md, "Reports"):
//  - received: customer messages, at the time the customer sent them (`sent_at`);
//  - opened: conversations, at the time their first message was sent (started with a
//    template: when started);
//  - closed / reopened: ConversationClosed / ConversationReopened, with the close reason;
//  - first response: per cycle (opening or reopening), from the oldest customer message waiting
//    to the first public reply; counted at the reply, for the replying agent;
//  - resolution: from the start of the cycle (the first message, or the reopening) to the close;
//  - agents: assigned (a conversation came to them by take, assign or transfer), closed (they
//    were the assignee when it closed), replies (public replies they wrote);
//  - tags: tagged (the tag was added), closed (a conversation carrying it closed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/conversation.h"
#include "domain/event.h"
#include "domain/time.h"

namespace helpdesk {

// Bump when a definition above changes: the views are rebuilt from the log at the next start,
// so past data is counted again with the new definition.
constexpr int kReportDefinitionVersion = 1;

// Reports count in 15-minute UTC slots: every time zone in use is a whole number of quarter
// hours from UTC, so each slot falls in one local hour (half-hour and 45-minute zones too).
constexpr int64_t kSlotMs = 15 * kMinuteMs;
inline int64_t SlotOf(Timestamp t) {
  return t.ms >= 0 ? t.ms / kSlotMs : -((-t.ms + kSlotMs - 1) / kSlotMs);
}
inline Timestamp SlotStart(int64_t slot) { return Timestamp{slot * kSlotMs}; }

// Local weekday (0 = Sunday) and hour of a UTC instant `offset_seconds` from UTC.
struct LocalClock {
  int weekday = 0;
  int hour = 0;
};
LocalClock LocalClockAt(Timestamp utc, int64_t offset_seconds);

// Shifts of the day, by local hour: morning 06:00–11:59, afternoon 12:00–17:59, night
// 18:00–05:59.
enum class Shift { kMorning, kAfternoon, kNight };
Shift ShiftOfHour(int local_hour);
const char* ShiftName(Shift s);

// What the reports remember about one conversation between its events.
struct ReportMarks {
  bool opened_counted = false;
  bool first_response_counted = false;  // in the current cycle
  std::optional<Timestamp> cycle_started_at;
};

// What one conversation event adds to the reports.
struct ReportMeasure {
  Timestamp at;  // when it counts
  std::string channel_id;
  std::optional<std::string> team_id;
  int64_t received = 0, opened = 0, closed = 0, reopened = 0;
  std::optional<std::string> close_reason;
  std::optional<int64_t> first_response_seconds, resolution_seconds;
  // The agent the agent counts are for.
  std::optional<std::string> agent_id;
  int64_t assigned = 0, agent_closed = 0, replies = 0;
  std::optional<std::string> tagged;     // a tag added
  std::vector<std::string> closed_tags;  // tags of a conversation that closed
  bool Empty() const;
};

// The measure of `event`, which took the conversation from `before` to `after`; updates
// `marks`. nullopt when the event counts for nothing.
std::optional<ReportMeasure> MeasureConversationEvent(const ConversationState& before,
                                                      const ConversationState& after,
                                                      const NewEvent& event, ReportMarks& marks);
// The same with the event already decoded.
std::optional<ReportMeasure> MeasureConversationEvent(const ConversationState& before,
                                                      const ConversationState& after,
                                                      const NewEvent& event,
                                                      const std::optional<events::Event>& decoded,
                                                      ReportMarks& marks);

}  // namespace helpdesk
