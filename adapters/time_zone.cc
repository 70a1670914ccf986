#include "adapters/time_zone.h"

#include <date/tz.h>

#include <chrono>
#include <limits>
#include <mutex>

namespace helpdesk {
namespace {

// Every call into the tz library goes through this lock. The library loads the database and
// each zone's transitions lazily on first use, and that lazy loading is not safe to race: a
// task schedule being defined while the timer computes another schedule's next occurrence met
// it under ThreadSanitizer. Calls are rare (a cached offset spans months), so one lock is cheap.
std::mutex& TzLibraryMutex() {
  static std::mutex mu;
  return mu;
}

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
    std::lock_guard<std::mutex> lock(TzLibraryMutex());
    const date::time_zone* zone = date::locate_zone(name);
    return TimeZone(name, zone);
  } catch (const std::exception&) {
    return InvalidField("tz", "names no time zone this server knows ('" + name + "')");
  }
}

TimeZone::Offset TimeZone::OffsetAt(Timestamp t) const {
  const date::sys_seconds at{std::chrono::seconds(t.ms >= 0 ? t.ms / 1000 : (t.ms - 999) / 1000)};
  date::sys_info info;
  {
    std::lock_guard<std::mutex> lock(TzLibraryMutex());
    info = zone_->get_info(at);
  }
  Offset offset;
  offset.seconds = info.offset.count();
  offset.from = ToTimestamp(info.begin);
  offset.until = ToTimestamp(info.end);
  if (offset.until <= t) offset.until = Timestamp{std::numeric_limits<int64_t>::max()};
  return offset;
}

}  // namespace helpdesk
