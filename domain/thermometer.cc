#include "domain/thermometer.h"

namespace helpdesk {

namespace {
constexpr int64_t kYellowFromMinute = 6;
constexpr int64_t kRedFromMinute = 16;
}  // namespace

const char* ThermometerName(Thermometer t) {
  switch (t) {
    case Thermometer::kGreen:
      return "green";
    case Thermometer::kYellow:
      return "yellow";
    case Thermometer::kRed:
      return "red";
  }
  return "green";
}

std::optional<Thermometer> ThermometerAt(ConversationStatus status,
                                         std::optional<Timestamp> waiting_since, Timestamp now) {
  if (!waiting_since || status == ConversationStatus::kClosed) return std::nullopt;
  const int64_t waited_ms = now.ms > waiting_since->ms ? now.ms - waiting_since->ms : 0;
  const int64_t minutes = waited_ms / kMinuteMs;
  if (minutes >= kRedFromMinute) return Thermometer::kRed;
  if (minutes >= kYellowFromMinute) return Thermometer::kYellow;
  return Thermometer::kGreen;
}

}  // namespace helpdesk
