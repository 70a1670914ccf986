// HttpReceiver: a tiny HTTP server on 127.0.0.1 for tests that check what helpdeskd sends out
// (deliveries to a channel's provider). Records every request and answers each with the next
// programmed status (200 once the program runs out).
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace helpdesk::testing {

struct ReceivedRequest {
  std::string method, path, body;
  std::map<std::string, std::string> headers;  // names in lower case
};

class HttpReceiver {
 public:
  HttpReceiver();  // listens on a free port at once
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/deliver") const;
  // The statuses of the next answers, in order.
  void Program(std::vector<int> statuses);
  std::vector<ReceivedRequest> requests() const;
  // Waits until at least `n` requests arrived; false after `timeout`.
  bool WaitFor(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

 private:
  void Serve();
  void Handle(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  mutable std::mutex mu_;
  std::deque<int> program_;
  std::vector<ReceivedRequest> requests_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace helpdesk::testing
