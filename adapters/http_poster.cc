#include "adapters/http_poster.h"

#include <cpprest/http_client.h>

namespace helpdesk {
namespace {

class CppRestPoster final : public HttpPoster {
 public:
  Result<int> Post(const std::string& url, const std::map<std::string, std::string>& headers,
                   const std::string& body, std::chrono::milliseconds timeout) override {
    try {
      web::http::client::http_client_config config;
      config.set_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
      config.set_proxy(web::web_proxy(web::web_proxy::disabled));
      web::http::client::http_client client(url, config);
      web::http::http_request request(web::http::methods::POST);
      for (const auto& [name, value] : headers) request.headers().add(name, value);
      request.set_body(body, "application/json");
      web::http::http_response response = client.request(request).get();
      return static_cast<int>(response.status_code());
    } catch (const std::exception& e) {
      return Error{ErrorCode::kInternal, e.what()};
    }
  }
};

}  // namespace

std::unique_ptr<HttpPoster> NewHttpPoster() { return std::make_unique<CppRestPoster>(); }

}  // namespace helpdesk
