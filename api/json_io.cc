#include "api/json_io.h"

#include <algorithm>
#include <charconv>

#include "adapters/random_ids.h"

namespace helpdesk {
namespace {

using nlohmann::json;

// The HTTP status of each error code (its name is ErrorCodeName's).
int HttpStatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidJson:
    case ErrorCode::kInvalidField:
      return 400;
    case ErrorCode::kUnauthorized:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kInvalidTransition:
    case ErrorCode::kVersionConflict:
    case ErrorCode::kWindowClosed:
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kLogUnavailable:
    case ErrorCode::kNotCaughtUp:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace

HttpResponse TooLargeResponse(const HttpRequest& request) {
  return ErrorResponse(
      Error{ErrorCode::kTooLarge,
            "the body is larger than " + std::to_string(BodyLimit(request)) + " bytes"});
}

HttpResponse ErrorResponse(const Error& error) {
  const int status = HttpStatusOf(error.code);
  const char* code = ErrorCodeName(error.code);
  // Internal details stay in the log; the client gets a plain sentence.
  const std::string message = error.code == ErrorCode::kInternal
                                  ? "the server could not complete the request"
                                  : error.message;
  json body{{"error", {{"code", code}, {"message", message}}}};
  if (!error.existing_id.empty()) body["error"]["existing_id"] = error.existing_id;
  return JsonResponse(status, body);
}

HttpResponse JsonResponse(int status, const std::string& json_text) {
  HttpResponse r;
  r.status = status;
  r.body = json_text;
  return r;
}

HttpResponse JsonResponse(int status, const json& value) {
  return JsonResponse(status, value.dump(-1, ' ', false, json::error_handler_t::replace));
}

HttpResponse VersionedResponse(int status, const nlohmann::json& object) {
  HttpResponse response = JsonResponse(status, object);
  response.headers["ETag"] = "\"" + object.value("version", nlohmann::json(0)).dump() + "\"";
  return response;
}

HttpResponse ListResponse(const std::string& items_json,
                          const std::optional<std::string>& next_cursor,
                          std::optional<int64_t> total) {
  std::string body = "{\"items\":" + items_json + ",\"next_cursor\":";
  body += next_cursor ? json(*next_cursor).dump() : "null";
  if (total) body += ",\"total\":" + std::to_string(*total);
  body += "}";
  return JsonResponse(200, body);
}

// Deepest nesting of arrays and objects in a JSON text (strings skipped). Deeply nested input
// would make copies and serialisation recurse without bound.
size_t NestingDepth(const std::string& text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

constexpr size_t kMaxNesting = 32;

Result<json> ParseJsonText(const std::string& text) {
  if (NestingDepth(text) > kMaxNesting) {
    return Error{ErrorCode::kInvalidJson, "the body nests arrays or objects too deeply"};
  }
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Error{ErrorCode::kInvalidJson, "the body is not valid JSON"};
  return j;
}

Result<Body> Body::Parse(const std::string& text) {
  auto j = ParseJsonText(text);
  if (!j.ok()) return j.error();
  if (!j.value().is_object()) {
    return Error{ErrorCode::kInvalidJson, "the body must be a JSON object"};
  }
  return Body(std::move(j).value());
}

void Body::Fail(const std::string& name, const std::string& why) {
  if (!error_) error_ = InvalidField(name, why);
}

std::optional<std::string> Body::UnknownField(std::initializer_list<const char*> known) const {
  for (const auto& [name, value] : j_.items()) {
    bool listed = false;
    for (const char* k : known) listed = listed || name == k;
    if (!listed) return name;
  }
  return std::nullopt;
}

std::optional<Error> Body::RefuseUnknown(std::initializer_list<const char*> known) const {
  if (auto field = UnknownField(known)) {
    return InvalidField(*field, "is not a field this request takes");
  }
  return std::nullopt;
}

std::optional<std::string> Body::OptString(const std::string& name) {
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    Fail(name, "must be a string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::string Body::String(const std::string& name) {
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) {
    Fail(name, "is required");
    return "";
  }
  if (!it->is_string()) {
    Fail(name, "must be a string");
    return "";
  }
  return it->get<std::string>();
}

std::string Body::NonEmptyString(const std::string& name) {
  const bool had_error = error_.has_value();
  std::string s = String(name);
  if (!had_error && !error_ && s.empty()) Fail(name, "must be a non-empty string");
  return s;
}

bool Body::OptBool(const std::string& name, bool fallback) {
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) {
    Fail(name, "must be true or false");
    return fallback;
  }
  return it->get<bool>();
}

std::optional<double> Body::OptNumber(const std::string& name) {
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) {
    Fail(name, "must be a number");
    return std::nullopt;
  }
  return it->get<double>();
}

std::optional<bool> Body::OptBool(const std::string& name) {
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) {
    Fail(name, "must be true or false");
    return std::nullopt;
  }
  return it->get<bool>();
}

std::optional<std::vector<std::string>> Body::OptStringArray(const std::string& name) {
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) return std::nullopt;
  if (!it->is_array()) {
    Fail(name, "must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string()) {
      Fail(name, "must be an array of strings");
      return std::nullopt;
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::optional<json> Body::OptObject(const std::string& name) {
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) return std::nullopt;
  if (!it->is_object()) {
    Fail(name, "must be an object");
    return std::nullopt;
  }
  return *it;
}

std::optional<json> Body::OptArray(const std::string& name) {
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) return std::nullopt;
  if (!it->is_array()) {
    Fail(name, "must be an array");
    return std::nullopt;
  }
  return *it;
}

std::optional<std::string> QueryParam(const HttpRequest& request, const std::string& name) {
  auto it = request.query.find(name);
  if (it == request.query.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Result<ListParams> ReadListParams(const HttpRequest& request) {
  ListParams p;
  auto it = request.query.find("limit");
  if (it != request.query.end()) {
    const std::string& s = it->second;
    size_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v < 1 || v > 500) {
      return InvalidField("limit", "must be a whole number from 1 to 500");
    }
    p.limit = v;
  }
  auto c = request.query.find("cursor");
  if (c != request.query.end() && !c->second.empty()) p.cursor = c->second;
  return p;
}

// If-Match: "<version>" (also W/"<version>" or a bare number); "*" matches anything.
Result<std::optional<uint64_t>> ReadIfMatch(const HttpRequest& r) {
  std::string v = r.Header("if-match");
  if (v.empty() || v == "*") return std::optional<uint64_t>();
  if (v.rfind("W/", 0) == 0) v = v.substr(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  uint64_t version = 0;
  auto res = std::from_chars(v.data(), v.data() + v.size(), version);
  if (res.ec != std::errc() || res.ptr != v.data() + v.size()) {
    return InvalidField("If-Match", "must be a version such as \"3\"");
  }
  return std::optional<uint64_t>(version);
}

std::optional<std::string> BearerTokenDigest(const HttpRequest& request) {
  const std::string header = request.Header("authorization");
  const std::string prefix = "Bearer ";
  if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) {
    return std::nullopt;
  }
  return Sha256Hex(std::string_view(header).substr(prefix.size()));
}

}  // namespace helpdesk
