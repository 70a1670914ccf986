// The HTTP exchange as the application sees it, free of any HTTP library: the listener adapter
// (http_listener.cc) fills an HttpRequest and sends back the HttpResponse.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "domain/attachment.h"
#include "domain/contact_import.h"

namespace helpdesk {

struct HttpRequest {
  std::string method;                          // "GET", "POST", …
  std::vector<std::string> path;               // decoded segments: /api/v1/users -> {api,v1,users}
  std::map<std::string, std::string> query;    // decoded; the last value wins
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  bool body_too_large = false;  // the listener refused to read a body past the limit
  std::string peer;             // the client's address, as the socket shows it

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// The open end of a response whose body is written as it is made (Server-Sent Events).
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Sends `chunk` now. False once the client has gone, has stopped reading, or the server is
  // stopping: the producer ends then.
  virtual bool Write(const std::string& chunk) = 0;
  // Whether writing may go on; a producer waiting for something to write checks it.
  virtual bool Open() const = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::map<std::string, std::string> headers;
  // Set for a streamed body: the listener sends the head, then runs this on a thread of its own
  // until it returns, and ends the response. `body` is ignored then.
  std::function<void(BodyStream&)> stream;
};

// Largest request body accepted (413 too_large above)...
constexpr size_t kMaxBodyBytes = 1 << 20;
// ...except on an upload of an attachment (POST /api/v1/attachments): kMaxAttachmentBytes.

// ...and on a contacts import (POST /api/v1/contacts/import): kMaxImportBytes.

// The body limit of a request, from its method and path.
inline size_t BodyLimit(const HttpRequest& r) {
  const bool v1_post =
      r.method == "POST" && r.path.size() >= 3 && r.path[0] == "api" && r.path[1] == "v1";
  if (v1_post && r.path.size() == 3 && r.path[2] == "attachments") return kMaxAttachmentBytes;
  if (v1_post && r.path.size() == 4 && r.path[2] == "contacts" && r.path[3] == "import") {
    return kMaxImportBytes;
  }
  return kMaxBodyBytes;
}

}  // namespace helpdesk
