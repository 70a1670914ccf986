#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <memory>

#include "adapters/http_poster.h"
#include "domain/outbound.h"

namespace helpdesk {
namespace {

// Every address `host` resolves to is public; an Error names why not.
Status ResolvesToPublicOnly(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || !found) {
    return Error{ErrorCode::kForbidden, "the receiver's host " + host + " does not resolve"};
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, freeaddrinfo);
  for (const addrinfo* a = found; a; a = a->ai_next) {
    bool is_public = false;
    if (a->ai_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
      is_public = IsPublicAddress(reinterpret_cast<const uint8_t*>(&in->sin_addr), 4);
    } else if (a->ai_family == AF_INET6) {
      const auto* in = reinterpret_cast<const sockaddr_in6*>(a->ai_addr);
      is_public = IsPublicAddress(reinterpret_cast<const uint8_t*>(&in->sin6_addr), 16);
    }
    if (!is_public) {
      return Error{ErrorCode::kForbidden,
                   "the receiver's host " + host + " resolves to a non-public address"};
    }
  }
  return Status::Ok();
}

class OutboundGuard final : public HttpPoster {
 public:
  explicit OutboundGuard(std::unique_ptr<HttpPoster> inner) : inner_(std::move(inner)) {}

  Result<int> Post(const std::string& url, const std::map<std::string, std::string>& headers,
                   const std::string& body, std::chrono::milliseconds timeout) override {
    if (Status url_ok = CheckOutboundUrl(url, false); !url_ok.ok()) {
      return Error{ErrorCode::kForbidden, "outbound URL refused: " + url_ok.error().message};
    }
    if (Status resolved = ResolvesToPublicOnly(HostOfUrl(url)); !resolved.ok()) {
      return resolved.error();
    }
    return inner_->Post(url, headers, body, timeout);
  }

 private:
  std::unique_ptr<HttpPoster> inner_;
};

}  // namespace

std::unique_ptr<HttpPoster> NewOutboundGuard(std::unique_ptr<HttpPoster> inner) {
  return std::make_unique<OutboundGuard>(std::move(inner));
}

}  // namespace helpdesk
