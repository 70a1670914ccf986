// EdgeGate: the server's front door. It accepts clients' connections on the public address and
// relays each to the HTTP listener on a loopback port, holding it to the limits cpprestsdk's
// server lacks (docs/security.md, "The edge"):
//   - at most `max_connections` open at once; past that a new one gets 429 and is closed;
//   - a request head larger than `max_head_bytes` gets 413, and so does a Content-Length past
//     the route's body limit (api/http.h) before a byte of the body is taken; a body of unknown
//     length gets 400;
//   - a head must arrive whole within `head_timeout` of its first byte, a body within
//     `body_timeout` of its head, and a connection with no byte either way for `idle_timeout`
//     is closed (a live-feed stream's keep-alive comments count).
// Every request reaches the listener with the client's address in a header only the gate can
// set (RequestFramer drops a client's own; the value starts with a per-process secret).
// One thread of its own runs every connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "domain/result.h"

namespace helpdesk {

struct EdgeLimits {
  size_t max_connections = 1024;
  size_t max_head_bytes = 16 * 1024;
  std::chrono::milliseconds head_timeout{10'000};
  std::chrono::milliseconds body_timeout{300'000};
  std::chrono::milliseconds idle_timeout{60'000};
};

// The header that carries the client's address from the gate to the listener:
// "<secret> <address>".
inline constexpr const char* kPeerHeader = "x-helpdesk-peer";

class EdgeGate {
 public:
  // Listens on `address` (host:port) and relays to 127.0.0.1:`upstream_port`, telling the
  // listener each client's address after `peer_secret`.
  static Result<std::unique_ptr<EdgeGate>> Open(const std::string& address, uint16_t upstream_port,
                                                EdgeLimits limits, std::string peer_secret);
  ~EdgeGate();  // stops accepting and closes every connection
  EdgeGate(const EdgeGate&) = delete;
  EdgeGate& operator=(const EdgeGate&) = delete;

  struct Impl;

 private:
  explicit EdgeGate(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A free TCP port on 127.0.0.1 for the listener behind the gate (0 when none could be had).
uint16_t FreeLoopbackPort();

}  // namespace helpdesk
