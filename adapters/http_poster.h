// HttpPoster: sends one HTTP POST and reports the status, for deliveries to providers. An
// interface so that the delivery worker is tested against a real receiver and the transport
// can be swapped (a proxy, a client certificate) without touching the worker.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "domain/result.h"

namespace helpdesk {

class HttpPoster {
 public:
  virtual ~HttpPoster() = default;
  // The receiver's HTTP status; an Error when no answer came (refused, timed out, bad URL).
  virtual Result<int> Post(const std::string& url,
                           const std::map<std::string, std::string>& headers,
                           const std::string& body, std::chrono::milliseconds timeout) = 0;
};

// The cpprestsdk client: plain HTTP/1.1 or TLS, no proxy, redirects not followed.
std::unique_ptr<HttpPoster> NewHttpPoster();
// `inner`, refusing (before any connection) a URL that is not https or whose host resolves to
// any non-public address (domain/outbound.h), checked at every attempt. The check resolves the
// name itself; the client resolves it again to connect, so a name whose answer flips between
// the two (DNS rebinding) is not covered: docs/security.md.
std::unique_ptr<HttpPoster> NewOutboundGuard(std::unique_ptr<HttpPoster> inner);

}  // namespace helpdesk
