// The API in-process, on a manual clock and an in-memory log that fails on demand (InProcessApi):
// the rules that depend on time and on the log misbehaving are tested without waiting for real
// time or killing a disk. Shared by the in-process suites.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "adapters/env.h"
#include "adapters/faulty_log.h"
#include "adapters/http_poster.h"
#include "adapters/memory_log.h"
#include "api/node.h"
#include "api/rate_limiter.h"
#include "tests/support/temp_dir.h"

namespace helpdesk::inprocess {

using nlohmann::json;

inline const Timestamp kStart = *ParseRfc3339("2026-11-23T09:00:00Z");

// A provider's gateway that answers from a script (then 200), and counts what it was sent.
struct Receiver {
  std::mutex mu;
  std::deque<int> script;
  std::vector<std::string> attempts;  // X-Helpdesk-Attempt of each post
  size_t posts() {
    std::lock_guard<std::mutex> lock(mu);
    return attempts.size();
  }
};
class ScriptedReceiver final : public HttpPoster {
 public:
  explicit ScriptedReceiver(Receiver& r) : r_(r) {}
  Result<int> Post(const std::string&, const std::map<std::string, std::string>& headers,
                   const std::string&, std::chrono::milliseconds) override {
    std::lock_guard<std::mutex> lock(r_.mu);
    r_.attempts.push_back(headers.at("X-Helpdesk-Attempt"));
    if (r_.script.empty()) return 200;
    const int status = r_.script.front();
    r_.script.pop_front();
    return status;
  }

 private:
  Receiver& r_;
};

// Waits (real time, 5 s at most) until `done` holds.
template <class Predicate>
bool Eventually(Predicate done) {
  for (int i = 0; i < 100; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}
inline constexpr const char* kAdmin = "admin-token-for-tests";

class InProcessApi : public ::testing::Test {
 protected:
  void SetUp() override { StartNode(); }

  // Starts (or starts again, on the same log and data folder) the node.
  void StartNode() {
    node_.reset();
    auto log = std::make_unique<FaultyLog>(memory_);
    faulty_ = log.get();
    NodeOptions options;
    options.data_dir = dir_.path() + "/data";
    options.admin_token = kAdmin;
    NodeSeams seams;
    seams.log = std::move(log);
    seams.poster = std::make_unique<ScriptedReceiver>(receiver_);
    auto started = Node::Start(options, Env{clock_, ids_}, std::move(seams));
    ASSERT_TRUE(started.ok()) << started.error().message;
    node_ = std::move(started).value();
  }

  // One request, straight into the application: no socket, no thread of the listener.
  HttpResponse Call(const std::string& token, const std::string& method, const std::string& target,
                    const json& body = nullptr,
                    const std::map<std::string, std::string>& headers = {}) {
    HttpRequest r = Request(token, method, target, body, headers);
    return node_->app().Handle(r);
  }
  static HttpRequest Request(const std::string& token, const std::string& method,
                             const std::string& target, const json& body = nullptr,
                             const std::map<std::string, std::string>& headers = {}) {
    HttpRequest r;
    r.method = method;
    const auto question = target.find('?');
    std::stringstream path(target.substr(0, question));
    for (std::string segment; std::getline(path, segment, '/');) {
      if (!segment.empty()) r.path.push_back(segment);
    }
    if (question != std::string::npos) {
      std::stringstream query(target.substr(question + 1));
      for (std::string pair; std::getline(query, pair, '&');) {
        const auto eq = pair.find('=');
        r.query[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
      }
    }
    r.headers["authorization"] = "Bearer " + token;
    for (const auto& [name, value] : headers) r.headers[name] = value;
    if (!body.is_null()) {
      r.body = body.dump();
      r.headers["content-type"] = "application/json";
    }
    return r;
  }
  static json Json(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

  // A WhatsApp channel, agent Ana (whose token this returns), and a customer's first message.
  std::string DeskWithAConversation() {
    EXPECT_EQ(Call(kAdmin, "POST", "/api/v1/channels",
                   {{"id", "wa"}, {"type", "whatsapp"}, {"name", "WA"}, {"address", "+5511"}})
                  .status,
              201);
    auto ana = Call(kAdmin, "POST", "/api/v1/users",
                    {{"id", "ana"}, {"name", "Ana"}, {"email", "ana@x.co"}, {"role", "agent"}});
    EXPECT_EQ(ana.status, 201) << ana.body;
    auto in = Call(kAdmin, "POST", "/api/v1/channels/wa/inbound",
                   {{"external_id", "wamid.1"},
                    {"from", {{"name", "João"}, {"phone", "+55 11 91234-5678"}}},
                    {"text", "Oi, meu pedido atrasou"}});
    EXPECT_EQ(in.status, 201) << in.body;
    conversation_ = Json(in).value("conversation_id", "");
    contact_ = Json(in).value("contact_id", "");
    return Json(ana).value("token", "");
  }
  json Conversation() {
    return Json(Call(kAdmin, "GET", "/api/v1/conversations/" + conversation_));
  }
  std::string Path(const std::string& action) {
    return "/api/v1/conversations/" + conversation_ + "/" + action;
  }

  testing::TempDir dir_;
  Receiver receiver_;
  ManualClock clock_{kStart};
  SequentialIds ids_{"t"};
  MemoryLog memory_;             // outlives the node, which owns the faulty wrapper
  FaultyLog* faulty_ = nullptr;  // owned by the node
  std::unique_ptr<Node> node_;
  std::string conversation_, contact_;
};

}  // namespace helpdesk::inprocess
