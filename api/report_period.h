// The period a report covers, read from a request's `from`, `to` and `tz`, the same for every
// report: RFC 3339 instants, or dates (YYYY-MM-DD) meaning that day's midnight in `tz`; by
// default the 30 days up to now; `from` before `to`, at most 366 days apart.
#pragma once

#include <string>

#include "adapters/time_zone.h"
#include "api/http.h"
#include "domain/result.h"
#include "domain/time.h"

namespace helpdesk {

struct ReportPeriod {
  Timestamp from, to;
  TimeZone zone;
};

// Errors: invalid_field naming `from`, `to` or `tz`.
Result<ReportPeriod> ReadReportPeriod(const HttpRequest& r, Timestamp now);

// The local midnight that starts the day `days` after the one `now` falls on in `zone` (0:
// today's). A midnight the zone skips starts the day as late as the skip lasts.
Timestamp LocalMidnight(Timestamp now, const TimeZone& zone, int days);

}  // namespace helpdesk
