#include "adapters/time_zone.h"

#include <date/tz.h>

#include <chrono>
#include <limits>

namespace helpdesk {
namespace {

bool LooksLikeZoneName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return name.find("..") == std::string::npos;
}

Timestamp ToTimestamp(date::sys_seconds t) {
  // The database marks "forever" with the extremes of its clock.
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  return Timestamp{ms.count()};
}

}  // namespace

Result<TimeZone> TimeZone::Find(const std::string& name) {
  if (!LooksLikeZoneName(name)) return InvalidField("tz", "is not an IANA time zone name");
  try {
    const date::time_zone* zone = date::locate_zone(name);
    return TimeZone(name, zone);
  } catch (const std::exception&) {
    return InvalidField("tz", "names no time zone this server knows ('" + name + "')");
  }
}

TimeZone::Offset TimeZone::OffsetAt(Timestamp t) const {
  const date::sys_seconds at{std::chrono::seconds(t.ms >= 0 ? t.ms / 1000 : (t.ms - 999) / 1000)};
  const date::sys_info info = zone_->get_info(at);
  Offset offset;
  offset.seconds = info.offset.count();
  offset.from = ToTimestamp(info.begin);
  offset.until = ToTimestamp(info.end);
  if (offset.until <= t) offset.until = Timestamp{std::numeric_limits<int64_t>::max()};
  return offset;
}

}  // namespace helpdesk
