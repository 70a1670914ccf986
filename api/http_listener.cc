#include "api/http_listener.h"

#include <cpprest/http_listener.h>
#include <cpprest/producerconsumerstream.h>
#include <cpprest/uri.h>
#include <pplx/threadpool.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <system_error>
#include <thread>

#include "adapters/random_ids.h"
#include "api/edge_gate.h"
#include "api/json_io.h"

namespace helpdesk {
namespace listener_internal {

// What streamed responses share with the listener: the count of open ones, and the signal that
// the server is stopping. Named (not anonymous): the listener's Impl holds one.
struct StreamRegistry {
  std::mutex mu;
  std::condition_variable cv;
  int open = 0;
  std::atomic<bool> stopping{false};
};

}  // namespace listener_internal
namespace {

using web::http::experimental::listener::http_listener;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The client's address: the gate's word for it when the request came through the gate, the
// connection's otherwise. Nobody else's header is believed.
std::string PeerOf(const web::http::http_request& in, HttpRequest& req,
                   const std::string& peer_secret) {
  const auto it = req.headers.find(kPeerHeader);
  if (it == req.headers.end()) return in.remote_address();
  const std::string said = it->second;
  req.headers.erase(it);
  if (peer_secret.empty() || said.size() <= peer_secret.size() + 1 ||
      !ConstantTimeEquals(said.substr(0, peer_secret.size()), peer_secret) ||
      said[peer_secret.size()] != ' ') {
    return in.remote_address();
  }
  const std::string address = said.substr(peer_secret.size() + 1);
  // The gate writes an address and nothing else.
  if (address.find_first_not_of("0123456789abcdefABCDEF.:") != std::string::npos) {
    return in.remote_address();
  }
  return address;
}

// Fills everything but the body; false when the URI cannot be decoded.
bool ReadHead(const web::http::http_request& in, HttpRequest& out) {
  try {
    out.method = in.method();
    const web::uri& uri = in.relative_uri();
    for (const auto& segment : web::uri::split_path(uri.path())) {
      out.path.push_back(web::uri::decode(segment));
    }
    for (const auto& [k, v] : web::uri::split_query(uri.query())) {
      std::string value = v;
      for (char& c : value) {
        if (c == '+') c = ' ';
      }
      out.query[web::uri::decode(k)] = web::uri::decode(value);
    }
    for (const auto& [name, value] : in.headers()) out.headers[Lower(name)] = value;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// Streamed responses (Server-Sent Events) open at once; past this a new one gets 429.
constexpr int kMaxStreams = 256;
// Bytes written but not yet taken by the client past which it counts as gone: a client that
// stops reading must not make the server hold its events forever.
constexpr size_t kMaxStreamBacklog = 4 << 20;

using Buffer = concurrency::streams::producer_consumer_buffer<uint8_t>;

using listener_internal::StreamRegistry;

class BufferStream final : public BodyStream {
 public:
  BufferStream(Buffer buffer, std::shared_ptr<std::atomic<bool>> gone,
               std::shared_ptr<const StreamRegistry> registry)
      : buffer_(std::move(buffer)), gone_(std::move(gone)), registry_(std::move(registry)) {}

  bool Write(const std::string& chunk) override {
    if (!Open()) return false;
    if (buffer_.in_avail() > kMaxStreamBacklog) {
      gone_->store(true);
      return false;
    }
    try {
      buffer_.putn_nocopy(reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size()).get();
      buffer_.sync().get();  // hand it to the connection now, not when a block fills
    } catch (const std::exception&) {
      gone_->store(true);
      return false;
    }
    return true;
  }
  bool Open() const override { return !*gone_ && !registry_->stopping; }

 private:
  Buffer buffer_;
  std::shared_ptr<std::atomic<bool>> gone_;
  const std::shared_ptr<const StreamRegistry> registry_;
};

void Send(const web::http::http_request& in, const HttpResponse& r);

// Sends the head of a streamed response and runs its producer on a thread of its own.
// The registry is shared with the stream's thread: it outlives the listener if it must.
void SendStream(const web::http::http_request& in, const HttpResponse& r,
                const std::shared_ptr<StreamRegistry>& registry) {
  {
    std::lock_guard<std::mutex> lock(registry->mu);
    if (registry->open >= kMaxStreams || registry->stopping) {
      Send(in, ErrorResponse(Error{ErrorCode::kRateLimited, "too many live streams are open"}));
      return;
    }
    ++registry->open;
  }
  Buffer buffer;
  auto gone = std::make_shared<std::atomic<bool>>(false);
  web::http::http_response out(static_cast<web::http::status_code>(r.status));
  for (const auto& [name, value] : r.headers) out.headers().add(name, value);
  out.set_body(buffer.create_istream(), r.content_type);  // no length: sent chunked
  in.reply(out).then([gone](pplx::task<void> t) {
    gone->store(true);  // the response ended: the client left, or the stream was closed
    try {
      t.get();
    } catch (const std::exception& e) {
      spdlog::debug("stream ended: {}", e.what());
    }
  });
  const auto finished = [registry] {
    std::lock_guard<std::mutex> lock(registry->mu);
    --registry->open;
    registry->cv.notify_all();
  };
  try {
    std::thread([producer = r.stream, buffer, gone, registry, finished]() mutable {
      try {
        BufferStream stream(buffer, gone, registry);
        producer(stream);
      } catch (const std::exception& e) {
        spdlog::error("a stream failed: {}", e.what());
      }
      try {
        buffer.close(std::ios_base::out).wait();
      } catch (const std::exception&) {
      }
      finished();
    }).detach();
  } catch (const std::system_error& e) {
    spdlog::error("no thread for a stream: {}", e.what());
    gone->store(true);
    buffer.close(std::ios_base::out);
    finished();
  }
}

void Send(const web::http::http_request& in, const HttpResponse& r) {
  web::http::http_response out(static_cast<web::http::status_code>(r.status));
  for (const auto& [name, value] : r.headers) out.headers().add(name, value);
  out.set_body(r.body, r.content_type);
  in.reply(out).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (const std::exception& e) {
      spdlog::debug("reply not delivered: {}", e.what());
    }
  });
}

// Threads serving requests. Reads that wait for X-Min-Position block one for up to 5 s, so keep
// more than the cores; too many only adds context switches. HELPDESK_HTTP_THREADS overrides.
size_t ListenerThreads() {
  if (const char* v = std::getenv("HELPDESK_HTTP_THREADS")) {
    const long n = std::strtol(v, nullptr, 10);
    if (n > 0 && n <= 1024) return static_cast<size_t>(n);
  }
  return 16;
}

}  // namespace

struct HttpListener::Impl {
  std::unique_ptr<http_listener> listener;
  std::shared_ptr<StreamRegistry> streams = std::make_shared<StreamRegistry>();
};

HttpListener::HttpListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpListener::~HttpListener() {
  {
    // Streams first: their producers check Open() at least every two seconds and end. Wait for
    // all of them: they use the application, which is destroyed after the listener.
    StreamRegistry& streams = *impl_->streams;
    std::unique_lock<std::mutex> lock(streams.mu);
    streams.stopping = true;
    streams.cv.wait(lock, [&streams] { return streams.open == 0; });
  }
  try {
    impl_->listener->close().wait();
  } catch (const std::exception& e) {
    spdlog::warn("closing the listener: {}", e.what());
  }
}

Result<std::unique_ptr<HttpListener>> HttpListener::Open(const std::string& address,
                                                         Handlers handlers,
                                                         std::string peer_secret) {
  // Reads that wait for X-Min-Position block a thread for up to 5 s: keep plenty of them.
  static std::once_flag pool_once;
  std::call_once(pool_once,
                 [] { crossplat::threadpool::initialize_with_threads(ListenerThreads()); });
  auto impl = std::make_unique<Impl>();
  try {
    impl->listener = std::make_unique<http_listener>("http://" + address);
    std::shared_ptr<StreamRegistry> streams = impl->streams;
    auto reply = [streams](const web::http::http_request& in, const HttpResponse& r) {
      if (r.stream) {
        SendStream(in, r, streams);
      } else {
        Send(in, r);
      }
    };
    auto handler = handlers.handle;
    auto admit = handlers.admit;
    impl->listener->support([handler, admit, reply, peer_secret](web::http::http_request request) {
      HttpRequest req;
      if (!ReadHead(request, req)) {
        Send(request, ErrorResponse(InvalidField("url", "is not a valid URL")));
        return;
      }
      req.peer = PeerOf(request, req, peer_secret);
      // Refused on its head alone (no token, a wrong one): its body is never taken in.
      if (std::optional<HttpResponse> refusal = admit(req)) {
        Send(request, *refusal);
        return;
      }
      const auto length = request.headers().content_length();
      const bool chunked = request.headers().has("Transfer-Encoding");
      const size_t limit = BodyLimit(req);
      if (length > limit) {
        req.body_too_large = true;  // answered without reading the body
      }
      if (chunked && !req.body_too_large) {
        // Reading a body of unknown length could take any amount of memory, before the token is
        // even checked: ask for a Content-Length instead.
        Send(request, ErrorResponse(
                          Error{ErrorCode::kInvalidJson, "a request body needs a Content-Length"}));
        return;
      }
      if (req.body_too_large || length == 0) {
        reply(request, handler(req));
        return;
      }
      // Never block a pool thread waiting for the body: the same pool reads it. Continue once
      // it has arrived.
      request.extract_vector().then([handler, reply, request, limit, req = std::move(req)](
                                        pplx::task<std::vector<unsigned char>> body) mutable {
        try {
          std::vector<unsigned char> bytes = body.get();
          if (bytes.size() > limit) {
            req.body_too_large = true;
          } else {
            req.body.assign(bytes.begin(), bytes.end());
          }
        } catch (const std::exception&) {
          Send(request,
               ErrorResponse(Error{ErrorCode::kInvalidJson, "the body could not be read"}));
          return;
        }
        reply(request, handler(req));
      });
    });
    impl->listener->open().wait();
  } catch (const std::exception& e) {
    return Error{ErrorCode::kInternal,
                 std::string("cannot listen on ") + address + ": " + e.what()};
  }
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(impl)));
}

}  // namespace helpdesk
