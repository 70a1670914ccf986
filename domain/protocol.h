// Ticket protocols: the human-readable number a customer quotes on the phone ("protocolo
// 2026-000123"). Unique and sequential per year: the year's protocol stream (protocol/<year>)
// holds one ProtocolIssued per number, so the number is that event's stream version and the
// log's one-writer-per-stream rule makes it unique.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/event.h"
#include "domain/result.h"
#include "domain/time.h"

namespace helpdesk {

inline std::string ProtocolStream(int year) { return "protocol/" + std::to_string(year); }

// The calendar year (UTC) of `t`.
int UtcYear(Timestamp t);
// "2026-000123": the year, a dash, the number with at least six digits.
std::string FormatProtocol(int year, uint64_t number);

// The next protocol of `year` for a conversation that has none yet; `issued` is how many the
// year has given so far.
std::vector<DomainEvent> DecideIssueProtocol(int year, uint64_t issued,
                                             const std::string& conversation_id);

}  // namespace helpdesk
