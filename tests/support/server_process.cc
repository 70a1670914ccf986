#include "tests/support/server_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#ifndef HELPDESKD_PATH
#error "HELPDESKD_PATH must name the server binary"
#endif

namespace helpdesk::testing {

const char* KafkaBrokers() {
  const char* brokers = std::getenv("HELPDESK_TEST_KAFKA");
  return brokers && *brokers ? brokers : nullptr;
}

ServerProcess::ServerProcess(std::string data_dir) : data_dir_(std::move(data_dir)) {
  static std::atomic<int> counter{0};
  topic_ = "helpdesk.test." + std::to_string(getpid()) + "." + std::to_string(counter++) + "." +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
  // The nodes of a cluster, and the tools reading its log, share the key that seals providers'
  // secrets and wraps contacts' keys.
  if (KafkaBrokers()) std::ofstream(data_dir_ + ".secrets-key") << kTestSecretsKey << "\n";
}

ServerProcess::~ServerProcess() { Stop(); }

bool ServerProcess::Start() {
  // A free port may be taken between FreePort() and the server's bind (by another test's server
  // or a client's outgoing connection, both at -j2): then the start is tried on another port.
  for (int attempt = 1;; ++attempt) {
    bool port_taken = false;
    if (StartOnce(&port_taken)) return true;
    if (!port_taken || attempt == 3) return false;
    std::cerr << "port " << port_ << " was taken before helpdeskd could bind it: trying another"
              << std::endl;
  }
}

bool ServerProcess::StartOnce(bool* port_taken) {
  port_ = FreePort();
  const std::string listen = "127.0.0.1:" + std::to_string(port_);
  const std::string log = data_dir_ + ".log";
  std::error_code size_error;
  const auto log_start = std::filesystem::file_size(log, size_error);  // earlier runs' lines
  pid_ = fork();
  if (pid_ == 0) {
    FILE* out = std::freopen(log.c_str(), "a", stdout);
    (void)out;
    dup2(fileno(stdout), fileno(stderr));
    std::vector<std::string> args{"helpdeskd", "--listen", listen, "--data", data_dir_,
                                  "--admin-token", kAdminToken, "--log-level", "info",
                                  // Tests hammer one server from one address: limits are
                                  // switched on by the tests of the limits (AddArgs wins).
                                  "--rate-per-token", "0", "--rate-per-address", "0"};
    // Receivers in tests listen on 127.0.0.1 over plain http.
    if (allow_private_outbound_) args.push_back("--allow-private-outbound");
    // On Kafka every server of a test gets a topic of its own, kept across its restarts.
    const std::vector<std::string> log_args = LogArgs();
    args.insert(args.end(), log_args.begin(), log_args.end());
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(HELPDESKD_PATH, argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (client().Send("GET", "/healthz").status == 200) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      // Show why: the server's own log, this start's lines.
      std::ifstream in(log);
      if (!size_error) in.seekg(static_cast<std::streamoff>(log_start));
      const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      *port_taken = text.find("Address already in use") != std::string::npos;
      std::cerr << "helpdeskd exited during start; its log:\n" << text << std::endl;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void ServerProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

HttpReply ServerProcess::Admin(const std::string& method, const std::string& path,
                               const std::string& body,
                               std::map<std::string, std::string> headers) const {
  return As(kAdminToken, method, path, body, std::move(headers));
}

HttpReply ServerProcess::As(const std::string& token, const std::string& method,
                            const std::string& path, const std::string& body,
                            std::map<std::string, std::string> headers) const {
  headers["Authorization"] = "Bearer " + token;
  return client().Send(method, path, body, headers);
}

std::vector<std::string> ServerProcess::LogArgs() const {
  if (!KafkaBrokers()) return {};
  return {"--kafka", KafkaBrokers(),       "--kafka-topic",
          topic_,    "--secrets-key-file", data_dir_ + ".secrets-key"};
}

int RunHelpdeskd(const std::vector<std::string>& args, std::string* out) {
  int pipe_fds[2] = {-1, -1};
  if (out && pipe(pipe_fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    if (out) {
      dup2(pipe_fds[1], STDOUT_FILENO);
      close(pipe_fds[0]);
      close(pipe_fds[1]);
    }
    std::vector<char*> argv{const_cast<char*>("helpdeskd")};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(HELPDESKD_PATH, argv.data());
    _exit(127);
  }
  if (out) {
    close(pipe_fds[1]);
    char buffer[65536];
    for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) out->append(buffer, n);
    close(pipe_fds[0]);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace helpdesk::testing
