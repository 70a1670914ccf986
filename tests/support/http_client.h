// A minimal blocking HTTP/1.1 client for tests: one connection per request, so a test sees
// exactly what the server sends, bodies of any size included.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace helpdesk::testing {

struct HttpReply {
  int status = 0;                              // 0 when the connection failed
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string error_code() const {
    auto j = json();
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
  }
};

class HttpClient {
 public:
  explicit HttpClient(int port) : port_(port) {}
  HttpReply Send(const std::string& method, const std::string& path, const std::string& body = "",
                 const std::map<std::string, std::string>& headers = {}) const;

 private:
  int port_;
};

// A socket connected to 127.0.0.1:port (reads time out after 30 s), or -1.
int ConnectLoopback(int port);

// Binds socket `fd` to 127.0.0.1 on a port the kernel picks, and returns that port.
int BindLoopback(int fd);

// A free TCP port on 127.0.0.1 (bound then released).
int FreePort();

}  // namespace helpdesk::testing
