// TimeZone: an IANA time zone ("America/Sao_Paulo", "Asia/Kathmandu") from the operating
// system's tz database, asked for its offset from UTC at an instant. The reports turn UTC slots
// into local hours with it (domain/report_rules.h does the arithmetic).
//
// Thread-safe: every call into the tz library is serialised (its lazy loading races otherwise);
// zones live as long as the process.
#pragma once

#include <cstdint>
#include <string>

#include "domain/result.h"
#include "domain/time.h"

namespace date {
class time_zone;
}  // namespace date

namespace helpdesk {

class TimeZone {
 public:
  // The zone named `name`; invalid_field "tz" when the database does not know it.
  static Result<TimeZone> Find(const std::string& name);

  // The offset from UTC at `t`, and the span of instants [from, until) it holds for.
  struct Offset {
    int64_t seconds = 0;
    Timestamp from, until;
  };
  Offset OffsetAt(Timestamp t) const;

  const std::string& name() const { return name_; }

 private:
  TimeZone(std::string name, const date::time_zone* zone) : name_(std::move(name)), zone_(zone) {}
  std::string name_;
  const date::time_zone* zone_;  // owned by the tz database, which lives as long as the process
};

// Offsets of one zone along instants that mostly move forward (a report walking its slots):
// asks the database again only when an instant leaves the span of the last offset.
class ZoneOffsets {
 public:
  explicit ZoneOffsets(const TimeZone& zone) : zone_(zone) {}
  int64_t SecondsAt(Timestamp t) {
    if (!valid_ || t < last_.from || t >= last_.until) {
      last_ = zone_.OffsetAt(t);
      valid_ = true;
    }
    return last_.seconds;
  }

 private:
  const TimeZone& zone_;
  TimeZone::Offset last_;
  bool valid_ = false;
};

}  // namespace helpdesk
