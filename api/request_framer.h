// RequestFramer: finds where each HTTP/1.1 request of a client's byte stream begins and ends, so
// the edge gate (api/edge_gate.h) can hold every request to its limits before the HTTP listener
// sees a byte of it. Pure: bytes in, bytes out, no sockets and no clock.
//
// A request's head is held until it is whole (its blank line); past `max_head_bytes` without one
// the stream is refused. A whole head is passed on with one header added first, `peer_line`
// (how the gate tells the listener who the client is), and any header of that name the client
// sent dropped. Then `Content-Length` bytes of body are passed on as they come, and the next
// head begins. A head with `Transfer-Encoding` (a body of unknown length), several different
// `Content-Length`s or one that is not a number is refused: the stream cannot be framed past it.
// So is a head with a line break other than CRLF or a control byte other than a tab: the
// listener might read its lines differently.
// So is a `Content-Length` past the request's body limit, before a byte of its body is passed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace helpdesk {

class RequestFramer {
 public:
  enum class Verdict {
    kOk,
    kHeadTooLarge,  // no blank line within max_head_bytes
    kBadHead,       // no request line, or an unreadable Content-Length
    kChunked,       // Transfer-Encoding: the body's end cannot be found without decoding it
    kBodyTooLarge,  // a Content-Length past what `body_limit` allows for the request
  };
  // The largest body a request may have, from its method and target (path and query).
  using BodyLimit = std::function<uint64_t(std::string_view method, std::string_view target)>;

  // `peer_header` is the added header's name (lower case, e.g. "x-helpdesk-peer"), `peer_value`
  // its value.
  RequestFramer(size_t max_head_bytes, std::string peer_header, std::string peer_value,
                BodyLimit body_limit = nullptr);

  // Takes the next bytes from the client; appends what the listener should get to `out`. After
  // a verdict other than kOk, the stream is unusable: close it.
  Verdict Feed(std::string_view in, std::string& out);

  // Where the stream is: between requests (nothing of the next head yet), inside a head, or
  // inside a body.
  bool BetweenRequests() const { return !in_body_ && head_.empty(); }
  bool InHead() const { return !in_body_ && !head_.empty(); }
  bool InBody() const { return in_body_; }
  // Requests whose heads were passed on so far.
  uint64_t requests() const { return requests_; }

 private:
  Verdict FinishHead(size_t head_end, std::string& out);

  const size_t max_head_bytes_;
  const std::string peer_header_;
  const std::string peer_value_;
  const BodyLimit body_limit_;
  std::string head_;  // the head so far
  bool in_body_ = false;
  uint64_t body_left_ = 0;
  uint64_t requests_ = 0;
};

}  // namespace helpdesk
