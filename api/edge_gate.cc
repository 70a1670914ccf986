#include "api/edge_gate.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio.hpp>
#include <set>
#include <thread>

#include "adapters/thread_name.h"
#include "api/http.h"
#include "api/json_io.h"
#include "api/request_framer.h"

namespace helpdesk {
// Named, not anonymous: the gate's Impl holds its connections.
namespace edge_internal {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using GateClock = std::chrono::steady_clock;

const char* ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    default:
      return "Error";
  }
}

// A whole HTTP/1.1 answer that ends the connection, with the API's error body.
std::string RawRefusal(const Error& error, const char* extra_headers = "") {
  const HttpResponse r = ErrorResponse(error);
  return "HTTP/1.1 " + std::to_string(r.status) + " " + ReasonPhrase(r.status) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(r.body.size()) +
         "\r\nConnection: close\r\n" + extra_headers + "\r\n" + r.body;
}

class Relay;

// The route's body limit (api/http.h), from the request line's method and target.
uint64_t RouteBodyLimit(std::string_view method, std::string_view target) {
  HttpRequest r;
  r.method = std::string(method);
  std::string_view path = target.substr(0, target.find('?'));
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const size_t end = std::min(path.find('/'), path.size());
    r.path.emplace_back(path.substr(0, end));
    path.remove_prefix(end);
  }
  return BodyLimit(r);
}

}  // namespace edge_internal

namespace asio = boost::asio;
using edge_internal::GateClock;
using edge_internal::RawRefusal;
using edge_internal::Relay;
using edge_internal::RouteBodyLimit;
using edge_internal::tcp;

struct EdgeGate::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::steady_timer sweep{io};
  asio::steady_timer retry_accept{io};
  tcp::endpoint upstream;
  EdgeLimits limits;
  std::string peer_secret;
  std::set<std::shared_ptr<Relay>> open;  // touched on the gate's thread only
  std::thread thread;

  void Accept();
  void Sweep();
  void TooMany(tcp::socket socket);
};

namespace edge_internal {

// One client's connection and its twin to the listener.
class Relay : public std::enable_shared_from_this<Relay> {
 public:
  Relay(EdgeGate::Impl& gate, tcp::socket client, const std::string& peer)
      : gate_(gate),
        client_(std::move(client)),
        upstream_(gate.io),
        framer_(gate.limits.max_head_bytes, kPeerHeader, gate.peer_secret + " " + peer,
                RouteBodyLimit),
        last_activity_(GateClock::now()) {}

  void Start() {
    upstream_.async_connect(gate_.upstream, [self = shared_from_this()](auto ec) {
      if (ec) {
        spdlog::error("edge gate: cannot reach the listener: {}", ec.message());
        self->Close();
        return;
      }
      boost::system::error_code ignored;
      self->upstream_.set_option(tcp::no_delay(true), ignored);
      self->ReadClient();
      self->ReadUpstream();
    });
  }

  // Closes the connection when one of its deadlines has passed.
  void Check(GateClock::time_point now) {
    const EdgeLimits& l = gate_.limits;
    if (framer_.InHead() && now - head_started_ > l.head_timeout) {
      spdlog::debug("edge gate: a head took longer than {} ms", l.head_timeout.count());
      Close();
    } else if (framer_.InBody() && now - body_started_ > l.body_timeout) {
      spdlog::debug("edge gate: a body took longer than {} ms", l.body_timeout.count());
      Close();
    } else if (now - last_activity_ > l.idle_timeout) {
      Close();
    }
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    client_.shutdown(tcp::socket::shutdown_both, ignored);
    client_.close(ignored);
    upstream_.close(ignored);
    gate_.open.erase(shared_from_this());
  }

 private:
  void ReadClient() {
    client_.async_read_some(
        asio::buffer(from_client_),
        [self = shared_from_this()](auto ec, size_t n) { self->OnClient(ec, n); });
  }

  void OnClient(const boost::system::error_code& ec, size_t n) {
    if (closed_) return;
    if (ec) {
      // The client is done sending (or gone): let the listener finish its answer.
      boost::system::error_code ignored;
      upstream_.shutdown(tcp::socket::shutdown_send, ignored);
      if (ec != asio::error::eof) Close();
      return;
    }
    const GateClock::time_point now = GateClock::now();
    last_activity_ = now;
    const bool was_in_head = framer_.InHead(), was_in_body = framer_.InBody();
    to_upstream_.clear();
    const RequestFramer::Verdict verdict =
        framer_.Feed(std::string_view(from_client_.data(), n), to_upstream_);
    if (framer_.InHead() && !was_in_head) head_started_ = now;
    if (framer_.InBody() && !was_in_body) body_started_ = now;
    switch (verdict) {
      case RequestFramer::Verdict::kOk:
        break;
      case RequestFramer::Verdict::kHeadTooLarge:
        return Refuse(Error{ErrorCode::kTooLarge, "the request head is larger than " +
                                                      std::to_string(gate_.limits.max_head_bytes) +
                                                      " bytes"});
      case RequestFramer::Verdict::kBodyTooLarge:
        return Refuse(
            Error{ErrorCode::kTooLarge, "the request body is larger than this route takes"});
      case RequestFramer::Verdict::kChunked:
        return Refuse(Error{ErrorCode::kInvalidJson, "a request body needs a Content-Length"});
      case RequestFramer::Verdict::kBadHead:
        return Refuse(Error{ErrorCode::kInvalidJson, "the request head cannot be read"});
    }
    if (to_upstream_.empty()) return ReadClient();
    asio::async_write(upstream_, asio::buffer(to_upstream_),
                      [self = shared_from_this()](auto write_error, size_t) {
                        if (self->closed_) return;
                        if (write_error) return self->Close();
                        self->ReadClient();
                      });
  }

  void ReadUpstream() {
    upstream_.async_read_some(
        asio::buffer(from_upstream_), [self = shared_from_this()](auto ec, size_t n) {
          if (self->closed_) return;
          if (ec) return self->Close();  // the listener ended the connection
          self->last_activity_ = GateClock::now();
          self->writing_to_client_ = true;
          asio::async_write(self->client_, asio::buffer(self->from_upstream_.data(), n),
                            [self](auto write_error, size_t) {
                              self->writing_to_client_ = false;
                              if (self->closed_) return;
                              if (write_error) return self->Close();
                              self->last_activity_ = GateClock::now();
                              self->ReadUpstream();
                            });
        });
  }

  // Answers the client itself and ends the connection; the listener never sees the request.
  void Refuse(const Error& error) {
    boost::system::error_code ignored;
    upstream_.close(ignored);
    if (writing_to_client_) return Close();  // an answer is on its way: do not interleave
    refusal_ = RawRefusal(error);
    asio::async_write(client_, asio::buffer(refusal_),
                      [self = shared_from_this()](auto, size_t) { self->Close(); });
  }

  EdgeGate::Impl& gate_;
  tcp::socket client_;
  tcp::socket upstream_;
  RequestFramer framer_;
  std::array<char, 16 * 1024> from_client_{};
  std::array<char, 16 * 1024> from_upstream_{};
  std::string to_upstream_;
  std::string refusal_;
  GateClock::time_point last_activity_, head_started_, body_started_;
  bool closed_ = false;
  bool writing_to_client_ = false;
};

}  // namespace edge_internal

void EdgeGate::Impl::Accept() {
  acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (!acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors or memory: wait a little instead of spinning on the error.
      spdlog::warn("edge gate: accept failed: {}", ec.message());
      retry_accept.expires_after(std::chrono::milliseconds(100));
      retry_accept.async_wait([this](auto wait_error) {
        if (!wait_error) Accept();
      });
      return;
    }
    if (open.size() >= limits.max_connections) {
      TooMany(std::move(socket));
    } else {
      boost::system::error_code peer_error;
      const tcp::endpoint peer = socket.remote_endpoint(peer_error);
      if (!peer_error) {
        socket.set_option(tcp::no_delay(true), peer_error);
        auto relay = std::make_shared<Relay>(*this, std::move(socket), peer.address().to_string());
        open.insert(relay);
        relay->Start();
      }
    }
    Accept();
  });
}

void EdgeGate::Impl::TooMany(tcp::socket socket) {
  auto held = std::make_shared<tcp::socket>(std::move(socket));
  auto text = std::make_shared<std::string>(RawRefusal(
      Error{ErrorCode::kRateLimited, "too many connections are open: try again in a moment"},
      "Retry-After: 1\r\n"));
  asio::async_write(*held, asio::buffer(*text), [held, text](auto, size_t) {
    boost::system::error_code ignored;
    held->shutdown(tcp::socket::shutdown_both, ignored);
    held->close(ignored);
  });
}

void EdgeGate::Impl::Sweep() {
  sweep.expires_after(std::chrono::milliseconds(250));
  sweep.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const GateClock::time_point now = GateClock::now();
    // Check may close (and so erase) a connection: walk a copy.
    const std::vector<std::shared_ptr<Relay>> all(open.begin(), open.end());
    for (const auto& relay : all) relay->Check(now);
    Sweep();
  });
}

EdgeGate::EdgeGate(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EdgeGate::~EdgeGate() {
  asio::post(impl_->io, [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->sweep.cancel();
    impl->retry_accept.cancel();
    const std::vector<std::shared_ptr<Relay>> all(impl->open.begin(), impl->open.end());
    for (const auto& relay : all) relay->Close();
    impl->io.stop();
  });
  impl_->thread.join();
}

Result<std::unique_ptr<EdgeGate>> EdgeGate::Open(const std::string& address, uint16_t upstream_port,
                                                 EdgeLimits limits, std::string peer_secret) {
  auto impl = std::make_unique<Impl>();
  impl->limits = limits;
  impl->peer_secret = std::move(peer_secret);
  impl->upstream = tcp::endpoint(asio::ip::address_v4::loopback(), upstream_port);
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return Error{ErrorCode::kInvalidField, "--listen must be HOST:PORT, not " + address};
  }
  try {
    tcp::resolver resolver(impl->io);
    const auto endpoints = resolver.resolve(address.substr(0, colon), address.substr(colon + 1));
    const tcp::endpoint endpoint = *endpoints.begin();
    impl->acceptor.open(endpoint.protocol());
    impl->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl->acceptor.bind(endpoint);
    impl->acceptor.listen(asio::socket_base::max_listen_connections);
  } catch (const std::exception& e) {
    return Error{ErrorCode::kInternal, "cannot listen on " + address + ": " + e.what()};
  }
  impl->Accept();
  impl->Sweep();
  impl->thread = std::thread([io = &impl->io] {
    NameThisThread("http-edge");
    try {
      io->run();
    } catch (const std::exception& e) {
      spdlog::error("edge gate stopped: {}", e.what());
    }
  });
  return std::unique_ptr<EdgeGate>(new EdgeGate(std::move(impl)));
}

uint16_t FreeLoopbackPort() {
  try {
    asio::io_context io;
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    return probe.local_endpoint().port();
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace helpdesk
