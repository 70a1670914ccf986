#include "domain/result.h"

namespace helpdesk {

// A switch, so that a new ErrorCode without a name does not compile (-Wswitch, -Werror).
const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidJson:
      return "invalid_json";
    case ErrorCode::kInvalidField:
      return "invalid_field";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kInvalidTransition:
      return "invalid_transition";
    case ErrorCode::kVersionConflict:
      return "version_conflict";
    case ErrorCode::kWindowClosed:
      return "window_closed";
    case ErrorCode::kTooLarge:
      return "too_large";
    case ErrorCode::kRateLimited:
      return "rate_limited";
    case ErrorCode::kLogUnavailable:
      return "log_unavailable";
    case ErrorCode::kNotCaughtUp:
      return "not_caught_up";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

std::optional<ErrorCode> ErrorCodeFromName(std::string_view name) {
  // kInternal is the last code: every one before it is tried by its name.
  for (int c = 0; c <= static_cast<int>(ErrorCode::kInternal); ++c) {
    const auto code = static_cast<ErrorCode>(c);
    if (name == ErrorCodeName(code)) return code;
  }
  return std::nullopt;
}

}  // namespace helpdesk
