// Audit: checks the hash chain of every stream (adapters/event_chain.h) by reading the log from
// its start. Used by GET /api/v1/audit/verify and `helpdeskd verify`.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "adapters/event_log.h"

namespace helpdesk {

// {"ok", "checked" (events), "streams", "first_break": null or {stream, stream_version,
// partition, position, event_id, reason}}. `stream`: check only that stream (not_found when the
// log has no event of it). `dense_positions`: the log's positions run 1, 2, 3… (the embedded
// log), so a gap is reported as a break too (ChainVerifier).
Result<nlohmann::json> VerifyChains(EventLog& log, const std::optional<std::string>& stream,
                                    bool dense_positions);

}  // namespace helpdesk
