// ServerProcess: the real helpdeskd binary, started on a free port over a data folder, for
// API tests that speak HTTP to it. Stops it (SIGTERM) when destroyed.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"

namespace helpdesk::testing {

inline constexpr const char* kAdminToken = "test-admin-token";
// The secrets key of test clusters (64 hex characters).
inline constexpr const char* kTestSecretsKey =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

class ServerProcess {
 public:
  // `data_dir` is kept (a crash test restarts on the same data).
  explicit ServerProcess(std::string data_dir);
  ~ServerProcess();

  // Starts and waits until /healthz answers; false if it did not within 60 s.
  bool Start();
  void Stop();  // SIGTERM and wait
  void Kill();  // SIGKILL and wait: a crash

  int port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  HttpClient client() const { return HttpClient(port_); }
  // More flags for helpdeskd (e.g. --read-only), from the next Start() on.
  void AddArgs(const std::vector<std::string>& args) {
    extra_args_.insert(extra_args_.end(), args.begin(), args.end());
  }
  // From the next Start() on, outbound URLs are held to the production rules (https, public
  // addresses only); by default tests may deliver to receivers on 127.0.0.1.
  void DenyPrivateOutbound() { allow_private_outbound_ = false; }
  // On Kafka: this server becomes another node of `other`'s cluster (the same topic).
  void JoinClusterOf(const ServerProcess& other) { topic_ = other.topic_; }
  // The Kafka topic of this server's events (its commands go to "<topic>.commands").
  const std::string& topic() const { return topic_; }
  // The flags that point helpdeskd at this server's log and, on Kafka, the cluster's secrets key
  // (empty on the embedded log).
  std::vector<std::string> LogArgs() const;

  // Requests as the admin or as a given token.
  HttpReply Admin(const std::string& method, const std::string& path, const std::string& body = "",
                  std::map<std::string, std::string> headers = {}) const;
  HttpReply As(const std::string& token, const std::string& method, const std::string& path,
               const std::string& body = "", std::map<std::string, std::string> headers = {}) const;

 private:
  // One try of Start on a new free port; `*port_taken` when the bind failed for it.
  bool StartOnce(bool* port_taken);
  std::string data_dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string topic_;
  std::vector<std::string> extra_args_;
  bool allow_private_outbound_ = true;
};

// The brokers of the Kafka cluster tests run against (HELPDESK_TEST_KAFKA), or null for the
// embedded log.
const char* KafkaBrokers();

// Runs helpdeskd with arguments and waits; returns its exit code. With `out`, what it wrote on
// stdout lands there.
int RunHelpdeskd(const std::vector<std::string>& args, std::string* out = nullptr);

}  // namespace helpdesk::testing
