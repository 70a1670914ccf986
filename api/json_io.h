// JSON in and out of the API: error answers in the contract's shape, and a typed reader of
// request bodies whose every failure names the field (400 invalid_field / invalid_json).
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/http.h"
#include "domain/result.h"

namespace helpdesk {

// {"error": {"code", "message"}} with the code's HTTP status.
HttpResponse ErrorResponse(const Error& error);
// 413 too_large for a request whose body passed its limit (BodyLimit).
HttpResponse TooLargeResponse(const HttpRequest& request);
HttpResponse JsonResponse(int status, const std::string& json_text);
HttpResponse JsonResponse(int status, const nlohmann::json& value);
// A resource with a `version`: its object, and its version as the ETag for If-Match.
HttpResponse VersionedResponse(int status, const nlohmann::json& object);
// {"items": <items_json>, "next_cursor": …[, "total": …]}, written without parsing the items.
HttpResponse ListResponse(const std::string& items_json,
                          const std::optional<std::string>& next_cursor,
                          std::optional<int64_t> total = std::nullopt);

// Any JSON text of a request (at most 32 levels of arrays and objects): invalid_json otherwise.
Result<nlohmann::json> ParseJsonText(const std::string& text);

// A request body parsed as a JSON object, read field by field. The first failure is kept;
// callers check error() once after reading every field.
class Body {
 public:
  static Result<Body> Parse(const std::string& text);  // invalid_json unless a JSON object

  std::optional<std::string> OptString(const std::string& name);
  std::string String(const std::string& name);  // required, may be empty
  std::string NonEmptyString(const std::string& name);
  bool OptBool(const std::string& name, bool fallback);
  std::optional<bool> OptBool(const std::string& name);      // nullopt when absent or null
  std::optional<double> OptNumber(const std::string& name);  // nullopt when absent or null
  // Whether the body names the field at all (null included): a merge patch's "clear this".
  bool Has(const std::string& name) const { return j_.contains(name); }
  // Whether the body names the field with null.
  bool IsNull(const std::string& name) const {
    auto it = j_.find(name);
    return it != j_.end() && it->is_null();
  }
  // The first field the body names that is not in `known` (a typo the caller should hear of).
  std::optional<std::string> UnknownField(std::initializer_list<const char*> known) const;
  // The same as the answer to a closed body (docs/openapi.yaml's additionalProperties: false):
  // 400 invalid_field naming the first field not in `known`, or nothing when all are.
  std::optional<Error> RefuseUnknown(std::initializer_list<const char*> known) const;
  std::optional<std::vector<std::string>> OptStringArray(const std::string& name);
  std::optional<nlohmann::json> OptObject(const std::string& name);
  std::optional<nlohmann::json> OptArray(const std::string& name);

  const std::optional<Error>& error() const { return error_; }

 private:
  explicit Body(nlohmann::json j) : j_(std::move(j)) {}
  void Fail(const std::string& name, const std::string& why);
  nlohmann::json j_;
  std::optional<Error> error_;
};

// The SHA-256 (hex) of the request's bearer token: every token is compared as a digest.
// nullopt without an `Authorization: Bearer <token>` header.
std::optional<std::string> BearerTokenDigest(const HttpRequest& request);

// A query parameter, or nullopt when absent or empty.
std::optional<std::string> QueryParam(const HttpRequest& request, const std::string& name);

// Reads `?limit=` (default 50, 1..500) and `?cursor=`.
struct ListParams {
  size_t limit = 50;
  std::optional<std::string> cursor;
};
Result<ListParams> ReadListParams(const HttpRequest& request);

// If-Match: "<version>" (also W/"<version>" or a bare number); absent or "*" matches anything.
Result<std::optional<uint64_t>> ReadIfMatch(const HttpRequest& r);

}  // namespace helpdesk
