// The edge gate (api/edge_gate.h) over real sockets: what a hostile or broken client meets before
// the HTTP listener sees a byte. Raw sockets, because the limits are about how bytes arrive.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/server_process.h"

namespace helpdesk::testing {
namespace {

using Clock = std::chrono::steady_clock;

void SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server closed: what the test checks next
    sent += static_cast<size_t>(n);
  }
}

// Everything the server sends until it closes the connection, or until `wait` has passed
// (then `closed` is false).
std::string ReadUntilClosed(int fd, std::chrono::milliseconds wait, bool* closed) {
  std::string got;
  const auto deadline = Clock::now() + wait;
  *closed = false;
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (poll(&p, 1, static_cast<int>(std::max<long>(left, 1))) <= 0) continue;
    char buffer[4096];
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      *closed = true;
      break;
    }
    got.append(buffer, static_cast<size_t>(n));
  }
  return got;
}

int StatusOf(const std::string& response) {
  return response.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(response.substr(9, 3)) : 0;
}

class EdgeTest : public ::testing::Test {
 protected:
  void StartWith(const std::vector<std::string>& args) {
    server_.AddArgs(args);
    ASSERT_TRUE(server_.Start());
  }
  int Connect() const {
    const int fd = ConnectLoopback(server_.port());
    EXPECT_GE(fd, 0);
    return fd;
  }
  // Sends `bytes` on a new connection and returns all the server sends until it closes it (or
  // 10 s pass: then `closed` is false).
  std::string Exchange(const std::string& bytes, bool* closed) const {
    const int fd = Connect();
    SendAll(fd, bytes);
    std::string response = ReadUntilClosed(fd, std::chrono::milliseconds(10000), closed);
    close(fd);
    return response;
  }
  TempDir dir_;
  ServerProcess server_{dir_.path() + "/data"};
};

TEST_F(EdgeTest, AHeadPastTheLimitIs413AndTheConnectionEnds) {
  StartWith({"--max-header-bytes", "4096"});
  bool closed = false;
  const std::string response = Exchange(
      "GET /api/v1/conversations HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(8000, 'a') +
          "\r\n\r\n",
      &closed);
  EXPECT_EQ(StatusOf(response), 413) << response;
  EXPECT_NE(response.find("\"too_large\""), std::string::npos) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
  EXPECT_TRUE(closed);
  // A head within the limit is served as always.
  EXPECT_EQ(
      server_.Admin("GET", "/api/v1/conversations", "", {{"X-Filler", std::string(2000, 'a')}})
          .status,
      200);
}

TEST_F(EdgeTest, AHeadTrickledPastItsTimeoutIsCutOff) {
  StartWith({"--header-timeout-s", "1"});
  const int fd = Connect();
  SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
  bool closed = false;
  // One header line every 200 ms, never the blank line that ends the head.
  for (int i = 0; i < 40 && !closed; ++i) {
    SendAll(fd, "X-Slow-" + std::to_string(i) + ": 1\r\n");
    ReadUntilClosed(fd, std::chrono::milliseconds(200), &closed);
  }
  close(fd);
  EXPECT_TRUE(closed) << "a head trickled for 8 s was still being read";
  EXPECT_EQ(server_.client().Send("GET", "/healthz").status, 200);
}

TEST_F(EdgeTest, AnIdleConnectionIsClosedAndAnActiveOneIsNot) {
  StartWith({"--idle-timeout-s", "1"});
  const int idle = Connect();
  bool closed = false;
  ReadUntilClosed(idle, std::chrono::milliseconds(10000), &closed);
  close(idle);
  EXPECT_TRUE(closed) << "a connection that sent nothing for 10 s is still open";
  // Kept alive and busy: several requests on one connection, one after the other, all answered.
  // (Not pipelined: cpprestsdk's listener drops bytes that arrive with a previous request.)
  const int busy = Connect();
  std::string answers;
  closed = false;
  for (int i = 0; i < 3 && !closed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // under the 1 s idle limit
    SendAll(busy, std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n") +
                      (i == 2 ? "Connection: close\r\n" : "") + "\r\n");
    answers += ReadUntilClosed(busy, std::chrono::milliseconds(i == 2 ? 10000 : 300), &closed);
  }
  close(busy);
  size_t count = 0;
  for (size_t at = answers.find("HTTP/1.1 200"); at != std::string::npos;
       at = answers.find("HTTP/1.1 200", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 3u) << answers;
}

TEST_F(EdgeTest, PastTheConnectionCapANewOneGets429UntilOneCloses) {
  StartWith({"--max-connections", "3"});
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) held.push_back(Connect());
  // The gate counts a connection once it took it: give it the moment to.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  bool closed = false;
  const std::string refused = Exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
  EXPECT_EQ(StatusOf(refused), 429) << refused;
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos) << refused;
  EXPECT_NE(refused.find("\"rate_limited\""), std::string::npos) << refused;
  close(held.back());
  held.pop_back();
  HttpReply again;
  for (int i = 0; i < 50 && again.status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    again = server_.client().Send("GET", "/healthz");
  }
  EXPECT_EQ(again.status, 200) << "a freed place is taken again";
  for (int fd : held) close(fd);
}

TEST_F(EdgeTest, AClientCannotChooseTheAddressItIsLimitedBy) {
  StartWith({"--rate-per-address", "1"});  // 1 a second, 2 at once
  int limited = 0;
  for (int i = 0; i < 6 && limited == 0; ++i) {
    auto r = server_.Admin("GET", "/api/v1/teams", "",
                           {{"X-Helpdesk-Peer", "anything 10.0.0." + std::to_string(i)}});
    if (r.status == 429) ++limited;
  }
  EXPECT_EQ(limited, 1) << "a header sent by the client moved it to another bucket";
}

TEST_F(EdgeTest, ABodyOfUnknownLengthIsRefusedAndChangesNothing) {
  StartWith({});
  bool closed = false;
  const std::string response =
      Exchange(std::string("POST /api/v1/teams HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") +
                   kAdminToken +
                   "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "16\r\n{\"id\":\"t\",\"name\":\"T\"}\r\n0\r\n\r\n",
               &closed);
  EXPECT_EQ(StatusOf(response), 400) << response;
  EXPECT_EQ(server_.Admin("GET", "/api/v1/teams/t").status, 404);
}

TEST_F(EdgeTest, ABodyPastTheRoutesLimitIs413BeforeItIsSent) {
  StartWith({});
  const int fd = Connect();
  // A stranger announces 20 MiB for a route that takes 1 MiB, and sends none of it.
  SendAll(fd,
          "POST /api/v1/teams HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          "Content-Length: 20971520\r\n\r\n");
  bool closed = false;
  const std::string response = ReadUntilClosed(fd, std::chrono::milliseconds(10000), &closed);
  close(fd);
  EXPECT_EQ(StatusOf(response), 413) << response;
  EXPECT_TRUE(closed);
}

TEST_F(EdgeTest, WithoutTheGateTheListenerServesDirectly) {
  StartWith({"--no-edge-gate"});
  EXPECT_EQ(server_.Admin("GET", "/api/v1/teams").status, 200);
}

}  // namespace
}  // namespace helpdesk::testing
