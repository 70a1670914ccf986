#include "tests/support/sse_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>

#include "tests/support/http_client.h"
#include "tests/support/http_text.h"

namespace helpdesk::testing {

SseClient::SseClient(int port, const std::string& path,
                     const std::map<std::string, std::string>& headers) {
  fd_ = ConnectLoopback(port);
  if (fd_ < 0) return;
  std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [k, v] : headers) request += k + ": " + v + "\r\n";
  request += "\r\n";
  if (send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size()))
    return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!ReadMore(deadline)) return;
  }
  const std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  const std::string status_line = head.substr(0, head.find("\r\n"));
  if (status_line.size() >= 12) status_ = std::stoi(status_line.substr(9, 3));
  headers_ = ParseHeaderLines(head);
  chunked_ = Lower(header("transfer-encoding")) == "chunked";
  if (status_ != 200 && header("content-length") != "") {
    const size_t length = std::stoul(header("content-length"));
    while (buffer_.size() < length && ReadMore(deadline)) {
    }
  }
}

SseClient::~SseClient() {
  if (fd_ >= 0) close(fd_);
}

std::string SseClient::header(const std::string& lower_name) const {
  auto it = headers_.find(lower_name);
  return it == headers_.end() ? "" : it->second;
}

bool SseClient::ReadMore(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[65536];
  const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) return false;
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

bool SseClient::Fill(std::chrono::steady_clock::time_point deadline) {
  if (!chunked_) {
    if (!buffer_.empty()) {
      text_ += buffer_;
      buffer_.clear();
      return true;
    }
    if (!ReadMore(deadline)) return false;
    text_ += buffer_;
    buffer_.clear();
    return true;
  }
  // One chunk: "<hex size>\r\n<bytes>\r\n".
  for (;;) {
    const size_t line_end = buffer_.find("\r\n");
    if (line_end != std::string::npos) {
      const size_t size = std::stoul(buffer_.substr(0, line_end), nullptr, 16);
      if (size == 0) return false;  // the last chunk: the stream ended
      if (buffer_.size() >= line_end + 2 + size + 2) {
        text_ += buffer_.substr(line_end + 2, size);
        buffer_.erase(0, line_end + 2 + size + 2);
        return true;
      }
    }
    if (!ReadMore(deadline)) return false;
  }
}

std::optional<SseEvent> SseClient::Next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // Events end with a blank line.
    size_t end;
    while ((end = text_.find("\n\n")) != std::string::npos) {
      const std::string block = text_.substr(0, end);
      text_.erase(0, end + 2);
      SseEvent e;
      bool any = false;
      size_t start = 0;
      while (start <= block.size()) {
        size_t nl = block.find('\n', start);
        if (nl == std::string::npos) nl = block.size();
        const std::string line = block.substr(start, nl - start);
        start = nl + 1;
        if (line.empty() || line[0] == ':') continue;
        const size_t colon = line.find(':');
        const std::string field = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (field == "id") e.id = value, any = true;
        if (field == "event") e.event = value, any = true;
        if (field == "data") e.data += value, any = true;
      }
      if (any && !e.data.empty()) return e;
    }
    if (!Fill(deadline)) return std::nullopt;
  }
}

}  // namespace helpdesk::testing
