// HttpListener: the cpprestsdk server adapter. Turns cpprestsdk requests into HttpRequest, hands
// them to a handler, and sends the HttpResponse back. The only server file that includes cpprestsdk
// (adapters/http_poster.cc is the client side).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/http.h"
#include "domain/result.h"

namespace helpdesk {

class HttpListener {
 public:
  struct Handlers {
    // Sees the head before any of the body is taken; a response refuses the request.
    std::function<std::optional<HttpResponse>(const HttpRequest& head)> admit;
    // The whole request.
    std::function<HttpResponse(const HttpRequest&)> handle;
  };
  // `address` is host:port. Starts serving before returning. Behind the edge gate
  // (api/edge_gate.h), `peer_secret` is the gate's: a request's x-helpdesk-peer header that
  // starts with it names the client; the header is dropped from every request either way.
  static Result<std::unique_ptr<HttpListener>> Open(const std::string& address, Handlers handlers,
                                                    std::string peer_secret = "");
  ~HttpListener();  // stops serving

 private:
  struct Impl;
  explicit HttpListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace helpdesk
