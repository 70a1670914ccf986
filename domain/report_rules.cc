#include "domain/report_rules.h"

#include "domain/events.h"

namespace helpdesk {
namespace {

int64_t SecondsBetween(Timestamp from, Timestamp to) {
  return to.ms > from.ms ? (to.ms - from.ms) / 1000 : 0;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

LocalClock LocalClockAt(Timestamp utc, int64_t offset_seconds) {
  const int64_t local_ms = utc.ms + offset_seconds * 1000;
  const int64_t day = FloorDiv(local_ms, kDayMs);
  LocalClock c;
  c.hour = static_cast<int>((local_ms - day * kDayMs) / kHourMs);
  // 1970-01-01 was a Thursday (4).
  c.weekday = static_cast<int>(((day + 4) % 7 + 7) % 7);
  return c;
}

Shift ShiftOfHour(int local_hour) {
  if (local_hour >= 6 && local_hour < 12) return Shift::kMorning;
  if (local_hour >= 12 && local_hour < 18) return Shift::kAfternoon;
  return Shift::kNight;
}

const char* ShiftName(Shift s) {
  switch (s) {
    case Shift::kMorning:
      return "morning";
    case Shift::kAfternoon:
      return "afternoon";
    case Shift::kNight:
      return "night";
  }
  return "night";
}

bool ReportMeasure::Empty() const {
  return received == 0 && opened == 0 && closed == 0 && reopened == 0 && !first_response_seconds &&
         !resolution_seconds && assigned == 0 && agent_closed == 0 && replies == 0 && !tagged;
}

std::optional<ReportMeasure> MeasureConversationEvent(const ConversationState& before,
                                                      const ConversationState& after,
                                                      const NewEvent& e, ReportMarks& marks) {
  return MeasureConversationEvent(before, after, e, events::Decode(e), marks);
}

std::optional<ReportMeasure> MeasureConversationEvent(const ConversationState& before,
                                                      const ConversationState& after,
                                                      const NewEvent& e,
                                                      const std::optional<events::Event>& event,
                                                      ReportMarks& marks) {
  ReportMeasure m;
  m.at = e.at;
  m.channel_id = after.channel_id;
  m.team_id = after.team_id;
  const std::string& t = e.type;
  if (const auto* received = events::As<events::MessageReceived>(event)) {
    m.at = received->sent_at.value_or(e.at);
    m.received = 1;
    if (!marks.opened_counted) {
      // The conversation opened with this message: it counts when the customer wrote.
      marks.opened_counted = true;
      marks.cycle_started_at = m.at;
      m.opened = 1;
    }
  } else if (const auto* opened = events::As<events::ConversationOpened>(event);
             opened && opened->origin == "template") {
    // Started by an agent: it opens now, not at a customer's first message.
    marks.opened_counted = true;
    marks.cycle_started_at = e.at;
    m.opened = 1;
  } else if (t == ev::kMessageSent) {
    if (e.actor.type == Actor::Type::kUser) m.agent_id = e.actor.id;
    m.replies = m.agent_id ? 1 : 0;
    if (!marks.first_response_counted && before.waiting_since) {
      marks.first_response_counted = true;
      m.first_response_seconds = SecondsBetween(*before.waiting_since, e.at);
    }
  } else if (t == ev::kConversationClosed) {
    m.closed = 1;
    m.close_reason = after.close_reason.value_or("");
    m.resolution_seconds = SecondsBetween(marks.cycle_started_at.value_or(after.opened_at), e.at);
    m.agent_id = before.assignee_id;
    m.agent_closed = m.agent_id ? 1 : 0;
    m.closed_tags.assign(before.tags.begin(), before.tags.end());
  } else if (t == ev::kConversationReopened) {
    m.reopened = 1;
    marks.cycle_started_at = e.at;
    marks.first_response_counted = false;
  } else if (const auto* tagged = events::As<events::ConversationTagged>(event)) {
    m.tagged = tagged->tag;
  }
  if (after.assignee_id && after.assignee_id != before.assignee_id) {
    // Taken, assigned or transferred to someone: one more conversation for them.
    m.agent_id = after.assignee_id;
    m.assigned = 1;
  }
  if (m.Empty()) return std::nullopt;
  return m;
}

}  // namespace helpdesk
