// JSON text written straight into a caller's buffer: the same bytes nlohmann::json's dump()
// writes (compact, keys in order, UTF-8 passed through, controls as \uXXXX), without its
// per-byte UTF-8 state machine or a string per call. Every appended event's envelope and hash
// are written with these (docs/performance.md, "Appending to Kafka").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace helpdesk {

// out += value.dump(). Throws what dump() throws (nlohmann::json::type_error 316 for a string
// that is not well-formed UTF-8), and then leaves `out` as it was.
void AppendJson(std::string& out, const nlohmann::json& value);
// value.dump(), written the same way.
std::string DumpJson(const nlohmann::json& value);
// out += nlohmann::json(s).dump(): `s` quoted and escaped. Throws as AppendJson does.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace helpdesk
