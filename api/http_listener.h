// HttpListener: the cpprestsdk server adapter. Turns cpprestsdk requests into HttpRequest, hands
// them to a handler, and sends the HttpResponse back. The only server file that includes cpprestsdk
// (adapters/http_poster.cc is the client side).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/http.h"
#include "domain/result.h"

namespace helpdesk {

class HttpListener {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // `address` is host:port. Starts serving before returning.
  static Result<std::unique_ptr<HttpListener>> Open(const std::string& address, Handler handler);
  ~HttpListener();  // stops serving

 private:
  struct Impl;
  explicit HttpListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace helpdesk
