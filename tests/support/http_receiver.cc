#include "tests/support/http_receiver.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/http_client.h"
#include "tests/support/http_text.h"

namespace helpdesk::testing {

HttpReceiver::HttpReceiver() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  port_ = BindLoopback(listen_fd_);
  listen(listen_fd_, 16);
  thread_ = std::thread([this] { Serve(); });
}

HttpReceiver::~HttpReceiver() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
}

std::string HttpReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HttpReceiver::Program(std::vector<int> statuses) {
  std::lock_guard<std::mutex> lock(mu_);
  program_.assign(statuses.begin(), statuses.end());
}

std::vector<ReceivedRequest> HttpReceiver::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

bool HttpReceiver::WaitFor(size_t n, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (requests_.size() >= n) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void HttpReceiver::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    Handle(fd);
    close(fd);
  }
}

void HttpReceiver::Handle(int fd) {
  std::string data;
  char chunk[65536];
  size_t head_end;
  const auto read_more = [&] {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) return false;
    const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    data.append(chunk, static_cast<size_t>(n));
    return true;
  };
  while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
    if (!read_more()) return;
  }
  ReceivedRequest request;
  const std::string head = data.substr(0, head_end);
  const std::string request_line = head.substr(0, head.find("\r\n"));
  const size_t sp1 = request_line.find(' ');
  const size_t sp2 = request_line.find(' ', sp1 + 1);
  request.method = request_line.substr(0, sp1);
  request.path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  request.headers = ParseHeaderLines(head);
  const size_t length =
      request.headers.count("content-length") ? std::stoul(request.headers["content-length"]) : 0;
  while (data.size() - head_end - 4 < length) {
    if (!read_more()) return;
  }
  request.body = data.substr(head_end + 4, length);
  int status = 200;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!program_.empty()) {
      status = program_.front();
      program_.pop_front();
    }
    requests_.push_back(std::move(request));
  }
  const std::string answer =
      "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
}

}  // namespace helpdesk::testing
