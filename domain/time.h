// Time as the domain sees it: milliseconds since the Unix epoch, UTC. Formatting and parsing of
// RFC 3339 strings live here so every module writes times the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace helpdesk {

struct Timestamp {
  int64_t ms = 0;
  auto operator<=>(const Timestamp&) const = default;
};

constexpr int64_t kMinuteMs = 60 * 1000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr int64_t kDayMs = 24 * kHourMs;

// "2026-11-22T14:05:00Z"; milliseconds are written only when non-zero ("…:00.250Z").
std::string FormatRfc3339(Timestamp t);
// text += FormatRfc3339(t), without a string of its own (once per appended event).
void AppendRfc3339(std::string& text, Timestamp t);

// Accepts "YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)"; nullopt when malformed or out of range.
std::optional<Timestamp> ParseRfc3339(const std::string& text);

// "YYYY-MM-DD" naming a day that exists.
bool IsCalendarDate(const std::string& date);

}  // namespace helpdesk
