#include "domain/result.h"

#include <array>
#include <utility>

namespace helpdesk {
namespace {

constexpr std::array<std::pair<ErrorCode, const char*>, 12> kNames{{
    {ErrorCode::kInvalidJson, "invalid_json"},
    {ErrorCode::kInvalidField, "invalid_field"},
    {ErrorCode::kUnauthorized, "unauthorized"},
    {ErrorCode::kForbidden, "forbidden"},
    {ErrorCode::kNotFound, "not_found"},
    {ErrorCode::kInvalidTransition, "invalid_transition"},
    {ErrorCode::kVersionConflict, "version_conflict"},
    {ErrorCode::kWindowClosed, "window_closed"},
    {ErrorCode::kTooLarge, "too_large"},
    {ErrorCode::kRateLimited, "rate_limited"},
    {ErrorCode::kLogUnavailable, "log_unavailable"},
    {ErrorCode::kInternal, "internal"},
}};

}  // namespace

const char* ErrorCodeName(ErrorCode code) {
  for (const auto& [c, name] : kNames) {
    if (c == code) return name;
  }
  return "internal";
}

std::optional<ErrorCode> ErrorCodeFromName(std::string_view name) {
  for (const auto& [c, n] : kNames) {
    if (name == n) return c;
  }
  return std::nullopt;
}

}  // namespace helpdesk
