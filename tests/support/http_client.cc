#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <stdexcept>

#include "tests/support/http_text.h"

namespace helpdesk::testing {
int ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

int BindLoopback(int fd) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const int port = BindLoopback(fd);
  close(fd);
  return port;
}

HttpReply HttpClient::Send(const std::string& method, const std::string& path,
                           const std::string& body,
                           const std::map<std::string, std::string>& headers) const {
  HttpReply reply;
  const int fd = ConnectLoopback(port_);
  if (fd < 0) return reply;
  std::string request =
      method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    request += k + ": " + v + "\r\n";
    if (Lower(k) == "content-type") has_type = true;
  }
  if (!body.empty() && !has_type) request += "Content-Type: application/json\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  request += body;
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413) and close before reading everything
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos || raw.size() < 12) return reply;
  const char* code = raw.data() + 9;
  if (std::from_chars(code, code + 3, reply.status).ec != std::errc()) return HttpReply{};
  reply.headers = ParseHeaderLines(raw.substr(0, head_end));
  reply.body = raw.substr(head_end + 4);
  if (Lower(reply.headers["transfer-encoding"]) == "chunked") {
    std::string decoded;
    size_t pos = 0;
    for (;;) {
      const size_t eol = reply.body.find("\r\n", pos);
      if (eol == std::string::npos) break;
      size_t size = 0;
      const char* hex = reply.body.data() + pos;
      if (std::from_chars(hex, hex + (eol - pos), size, 16).ec != std::errc() || size == 0) break;
      decoded += reply.body.substr(eol + 2, size);
      pos = eol + 2 + size + 2;
    }
    reply.body = decoded;
  }
  return reply;
}

}  // namespace helpdesk::testing
