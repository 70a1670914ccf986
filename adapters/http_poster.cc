#include "adapters/http_poster.h"

#include <cpprest/http_client.h>

#include <mutex>

namespace helpdesk {
namespace {

// Keeps one client per URL and timeout, so attempts to the same receiver reuse its connection
// (and TLS session) instead of opening a new one each time.
class CppRestPoster final : public HttpPoster {
 public:
  Result<int> Post(const std::string& url, const std::map<std::string, std::string>& headers,
                   const std::string& body, std::chrono::milliseconds timeout) override {
    try {
      std::shared_ptr<web::http::client::http_client> client = ClientFor(url, timeout);
      web::http::http_request request(web::http::methods::POST);
      for (const auto& [name, value] : headers) request.headers().add(name, value);
      request.set_body(body, "application/json");
      web::http::http_response response = client->request(request).get();
      return static_cast<int>(response.status_code());
    } catch (const std::exception& e) {
      return Error{ErrorCode::kInternal, e.what()};
    }
  }

 private:
  // A few receivers per node (one per connected channel): past this many, start over.
  static constexpr size_t kMaxClients = 64;

  std::shared_ptr<web::http::client::http_client> ClientFor(const std::string& url,
                                                            std::chrono::milliseconds timeout) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string key = std::to_string(timeout.count()) + " " + url;
    auto it = clients_.find(key);
    if (it != clients_.end()) return it->second;
    if (clients_.size() >= kMaxClients) clients_.clear();
    web::http::client::http_client_config config;
    config.set_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
    config.set_proxy(web::web_proxy(web::web_proxy::disabled));
    // A redirect is an answer, not a delivery: following it would reach wherever the receiver
    // points (this machine, a private network) past the checks on the URL.
    config.set_max_redirects(0);
    auto client = std::make_shared<web::http::client::http_client>(url, config);
    clients_.emplace(key, client);
    return client;
  }

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<web::http::client::http_client>> clients_;
};

}  // namespace

std::unique_ptr<HttpPoster> NewHttpPoster() { return std::make_unique<CppRestPoster>(); }

}  // namespace helpdesk
