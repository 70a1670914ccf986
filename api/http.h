// The HTTP exchange as the application sees it, free of any HTTP library: the listener adapter
// (http_listener.cc) fills an HttpRequest and sends back the HttpResponse.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace helpdesk {

struct HttpRequest {
  std::string method;                          // "GET", "POST", …
  std::vector<std::string> path;               // decoded segments: /api/v1/users -> {api,v1,users}
  std::map<std::string, std::string> query;    // decoded; the last value wins
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  bool body_too_large = false;  // the listener refused to read a body past the limit

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::map<std::string, std::string> headers;
};

// Largest request body accepted (413 too_large above)...
constexpr size_t kMaxBodyBytes = 1 << 20;
// ...except on an upload of an attachment (POST /api/v1/attachments).
constexpr size_t kMaxUploadBytes = 20 << 20;

// The body limit of a request, from its method and path.
inline size_t BodyLimit(const HttpRequest& r) {
  const bool upload = r.method == "POST" && r.path.size() == 3 && r.path[0] == "api" &&
                      r.path[1] == "v1" && r.path[2] == "attachments";
  return upload ? kMaxUploadBytes : kMaxBodyBytes;
}

}  // namespace helpdesk
