#include "domain/protocol.h"

#include <chrono>
#include <cstdio>

#include "domain/events.h"

namespace helpdesk {

int UtcYear(Timestamp t) {
  const std::chrono::sys_days day = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(t.ms)));
  return static_cast<int>(std::chrono::year_month_day(day).year());
}

std::string FormatProtocol(int year, uint64_t number) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%06llu", year,
                static_cast<unsigned long long>(number));
  return buffer;
}

std::vector<DomainEvent> DecideIssueProtocol(int year, uint64_t issued,
                                             const std::string& conversation_id) {
  const uint64_t number = issued + 1;
  return {events::Encode(
      events::ProtocolIssued{year, number, FormatProtocol(year, number), conversation_id})};
}

}  // namespace helpdesk
