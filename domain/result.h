// Result types used at every module boundary: an Error carries one of the contract's error codes
// and a human sentence; Result<T> is either a value or an Error. No exceptions cross boundaries.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace helpdesk {

enum class ErrorCode {
  kInvalidJson,        // 400 invalid_json
  kInvalidField,       // 400 invalid_field
  kUnauthorized,       // 401 unauthorized
  kForbidden,          // 403 forbidden
  kNotFound,           // 404 not_found
  kInvalidTransition,  // 409 invalid_transition
  kVersionConflict,    // 409 version_conflict
  kWindowClosed,       // 409 window_closed
  kTooLarge,           // 413 too_large
  kRateLimited,        // 429 rate_limited
  kLogUnavailable,     // 503 log_unavailable: the event log cannot take writes right now
  kNotCaughtUp,        // 503 not_caught_up: X-Min-Position not reached within the wait
  kConflict,           // 409 conflict: another resource holds a unique value (existing_id)
  kInternal,           // 500 internal; stays last (ErrorCodeFromName walks the codes up to it)
};

// The code's name in the contract ("not_found"): how errors are spelled to clients and between
// nodes. ErrorCodeFromName reads one back; nullopt for a name it does not know.
const char* ErrorCodeName(ErrorCode code);
std::optional<ErrorCode> ErrorCodeFromName(std::string_view name);

struct Error {
  ErrorCode code;
  std::string message;
  std::string existing_id = {};  // kConflict: the resource that holds the value
};
// A unique value (a phone, an e-mail) another resource already holds.
inline Error Conflict(const std::string& why, const std::string& existing_id) {
  return Error{ErrorCode::kConflict, why, existing_id};
}

inline Error InvalidField(const std::string& field, const std::string& why) {
  return Error{ErrorCode::kInvalidField, "field '" + field + "' " + why};
}
inline Error NotFound(const std::string& what) {
  return Error{ErrorCode::kNotFound, what + " not found"};
}
inline Error Forbidden(const std::string& why) { return Error{ErrorCode::kForbidden, why}; }
inline Error InvalidTransition(const std::string& why) {
  return Error{ErrorCode::kInvalidTransition, why};
}

// Status: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }
  bool ok() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool ok_ = true;
};

// Result<T>: a value or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return v_.index() == 0; }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  Status status() const { return ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace helpdesk
