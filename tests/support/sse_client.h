// A Server-Sent Events client for tests: opens GET <path>, then hands out events one by one as
// the server pushes them (chunked transfer decoded, comments and `retry` lines skipped).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace helpdesk::testing {

struct SseEvent {
  std::string id, event, data;
};

class SseClient {
 public:
  SseClient(int port, const std::string& path, const std::map<std::string, std::string>& headers);
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  int status() const { return status_; }  // 0 when the connection failed
  std::string header(const std::string& lower_name) const;
  // The body of a non-streamed answer (an error).
  const std::string& error_body() const { return buffer_; }

  // The next event; nullopt when none came within `timeout` or the stream ended.
  std::optional<SseEvent> Next(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  // Appends decoded body bytes to `text_`; false on timeout or end.
  bool Fill(std::chrono::steady_clock::time_point deadline);
  bool ReadMore(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  int status_ = 0;
  std::map<std::string, std::string> headers_;
  std::string buffer_;  // raw bytes not yet decoded
  std::string text_;    // decoded body not yet parsed into events
  bool chunked_ = false;
};

}  // namespace helpdesk::testing
