#include "api/report_period.h"

#include "api/json_io.h"
#include "domain/task.h"

namespace helpdesk {
namespace {

constexpr int64_t kDefaultSpanMs = 30 * kDayMs;
constexpr int64_t kMaxSpanMs = 366 * kDayMs;

// An RFC 3339 instant, or a date meaning its local midnight in `zone`.
Result<Timestamp> PeriodTime(const HttpRequest& r, const std::string& name, Timestamp fallback,
                             const TimeZone& zone) {
  auto text = QueryParam(r, name);
  if (!text) return fallback;
  if (IsCalendarDate(*text)) {
    // The day's first instant: its midnight, or where a clock that jumps over midnight (Chile,
    // Cuba, Brazil's old summer time) lands, never an hour of the day before.
    const Timestamp utc_midnight = *ParseRfc3339(*text + "T00:00:00Z");
    const UtcOffsetAt offset = [&](Timestamp t) { return zone.OffsetAt(t).seconds; };
    return LocalToInstant(utc_midnight.ms, offset);
  }
  auto t = ParseRfc3339(*text);
  if (!t) return InvalidField(name, "must be an RFC 3339 time or a date (YYYY-MM-DD)");
  return *t;
}

}  // namespace

Result<ReportPeriod> ReadReportPeriod(const HttpRequest& r, Timestamp now) {
  auto zone = TimeZone::Find(QueryParam(r, "tz").value_or("UTC"));
  if (!zone.ok()) return zone.error();
  auto to = PeriodTime(r, "to", now, zone.value());
  if (!to.ok()) return to.error();
  auto from = PeriodTime(r, "from", Timestamp{to.value().ms - kDefaultSpanMs}, zone.value());
  if (!from.ok()) return from.error();
  if (from.value() >= to.value()) return InvalidField("to", "must be after 'from'");
  if (to.value().ms - from.value().ms > kMaxSpanMs) {
    return InvalidField("to", "must be at most 366 days after 'from'");
  }
  return ReportPeriod{from.value(), to.value(), zone.value()};
}

Timestamp LocalMidnight(Timestamp now, const TimeZone& zone, int days) {
  const UtcOffsetAt offset = [&](Timestamp t) { return zone.OffsetAt(t).seconds; };
  const int64_t local = now.ms + offset(now) * 1000;
  const int64_t day = local >= 0 ? local / kDayMs : -((-local + kDayMs - 1) / kDayMs);
  return LocalToInstant((day + days) * kDayMs, offset);
}

}  // namespace helpdesk
