#include "api/http_listener.h"

#include <cctype>

#include <cpprest/http_listener.h>
#include <cpprest/uri.h>
#include <pplx/threadpool.h>
#include <spdlog/spdlog.h>

#include "api/json_io.h"

namespace helpdesk {
namespace {

using web::http::experimental::listener::http_listener;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
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

}  // namespace

struct HttpListener::Impl {
  std::unique_ptr<http_listener> listener;
};

HttpListener::HttpListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpListener::~HttpListener() {
  try {
    impl_->listener->close().wait();
  } catch (const std::exception& e) {
    spdlog::warn("closing the listener: {}", e.what());
  }
}

Result<std::unique_ptr<HttpListener>> HttpListener::Open(const std::string& address, Handler handler) {
  // Reads that wait for X-Min-Position block a thread for up to 5 s: keep plenty of them.
  static std::once_flag pool_once;
  std::call_once(pool_once, [] { crossplat::threadpool::initialize_with_threads(64); });
  auto impl = std::make_unique<Impl>();
  try {
    impl->listener = std::make_unique<http_listener>("http://" + address);
    impl->listener->support([handler](web::http::http_request request) {
      HttpRequest req;
      if (!ReadHead(request, req)) {
        Send(request, ErrorResponse(InvalidField("url", "is not a valid URL")));
        return;
      }
      const auto length = request.headers().content_length();
      if (length > kMaxBodyBytes) {
        req.body_too_large = true;
      } else {
        try {
          std::vector<unsigned char> body = request.extract_vector().get();
          if (body.size() > kMaxBodyBytes) {
            req.body_too_large = true;
          } else {
            req.body.assign(body.begin(), body.end());
          }
        } catch (const std::exception& e) {
          Send(request, ErrorResponse(Error{ErrorCode::kInvalidJson, "the body could not be read"}));
          return;
        }
      }
      Send(request, handler(req));
    });
    impl->listener->open().wait();
  } catch (const std::exception& e) {
    return Error{ErrorCode::kInternal, std::string("cannot listen on ") + address + ": " + e.what()};
  }
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(impl)));
}

}  // namespace helpdesk
