// The API in-process, on a manual clock and an in-memory log that fails on demand: the rules
// that depend on time (postpone and wake-up, WhatsApp's 24-hour window) and on the log
// misbehaving (a failed append changes nothing, and the node recovers) are tested without
// waiting for real time or killing a disk. The spawned-binary suites (api_tests, crash_tests)
// remain the end-to-end tier.
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
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
#include "tests/support/temp_dir.h"

namespace helpdesk {
namespace {

using nlohmann::json;

const Timestamp kStart = *ParseRfc3339("2026-11-23T09:00:00Z");

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
constexpr const char* kAdmin = "admin-token-for-tests";

class InProcessApi : public ::testing::Test {
 protected:
  void SetUp() override {
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
                    const json& body = nullptr) {
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
    if (!body.is_null()) {
      r.body = body.dump();
      r.headers["content-type"] = "application/json";
    }
    return node_->app().Handle(r);
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

TEST_F(InProcessApi, IdsComeFromTheEnvironment) {
  DeskWithAConversation();
  // The conversation, its contact and its message were named by the test's id source.
  EXPECT_EQ(conversation_.rfind("t", 0), 0u) << conversation_;
  EXPECT_EQ(contact_.rfind("t", 0), 0u) << contact_;
}

TEST_F(InProcessApi, APostponedConversationWakesWhenTheClockSaysSo) {
  const std::string ana = DeskWithAConversation();
  ASSERT_EQ(Call(ana, "POST", Path("take")).status, 200);
  const Timestamp until{kStart.ms + kHourMs};
  auto postponed = Call(ana, "POST", Path("postpone"), {{"until", FormatRfc3339(until)}});
  ASSERT_EQ(postponed.status, 200) << postponed.body;
  EXPECT_EQ(Json(postponed).value("status", ""), "postponed");

  // A minute early: the scheduler polls, and nothing is due.
  clock_.Set(Timestamp{until.ms - kMinuteMs});
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(Conversation().value("status", ""), "postponed");

  // Due: the scheduler wakes it on its next pass, and it is Ana's again.
  clock_.Set(Timestamp{until.ms + 1});
  json c;
  Eventually([&] {
    c = Conversation();
    return c.value("status", "") != "postponed";
  });
  EXPECT_EQ(c.value("status", ""), "open") << c.dump();
  EXPECT_EQ(c.value("assignee_id", ""), "ana");
}

TEST_F(InProcessApi, WhatsAppFreeTextOnlyWithin24HoursOfTheCustomer) {
  const std::string ana = DeskWithAConversation();
  ASSERT_EQ(Call(ana, "POST", Path("take")).status, 200);
  // The last minute of the window: free text goes.
  clock_.Set(Timestamp{kStart.ms + 24 * kHourMs - kMinuteMs});
  EXPECT_EQ(Call(ana, "POST", Path("messages"), {{"text", "Ainda aqui?"}}).status, 201);
  // Past it: only a template may go; a private note still may.
  clock_.Set(Timestamp{kStart.ms + 24 * kHourMs + kMinuteMs});
  auto late = Call(ana, "POST", Path("messages"), {{"text", "Olá de novo"}});
  EXPECT_EQ(late.status, 409) << late.body;
  EXPECT_EQ(Json(late)["error"].value("code", ""), "window_closed");
  EXPECT_EQ(Call(ana, "POST", Path("messages"), {{"text", "nota"}, {"private", true}}).status, 201);
}

TEST_F(InProcessApi, AFailedAppendChangesNothingAndTheNodeRecovers) {
  const std::string ana = DeskWithAConversation();
  ASSERT_EQ(Call(ana, "POST", Path("take")).status, 200);
  const json before = Conversation();

  faulty_->FailAppend(1);
  auto refused = Call(ana, "POST", Path("tags"), {{"tag", "atraso"}});
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(Json(refused)["error"].value("code", ""), "log_unavailable");
  EXPECT_EQ(faulty_->failed_appends(), 1);
  // Nothing of it anywhere: the view, and the write model the next command decides on.
  EXPECT_EQ(Conversation(), before);

  // A command that changes nothing (the customer's message delivered again) does not inherit
  // the failure once the node has recovered.
  auto again = Call(kAdmin, "POST", "/api/v1/channels/wa/inbound",
                    {{"external_id", "wamid.1"},
                     {"from", {{"name", "João"}, {"phone", "+55 11 91234-5678"}}},
                     {"text", "Oi, meu pedido atrasou"}});
  EXPECT_EQ(again.status, 200) << again.body;

  // The next command re-reads the write model from the log and goes through, once.
  auto tagged = Call(ana, "POST", Path("tags"), {{"tag", "atraso"}});
  ASSERT_EQ(tagged.status, 200) << tagged.body;
  EXPECT_EQ(Json(tagged)["tags"], json::array({"atraso"}));
  EXPECT_EQ(Json(tagged).value("version", 0), before.value("version", 0) + 1);
  auto timeline = Json(Call(kAdmin, "GET", Path("timeline")));
  int tags = 0;
  for (const json& item : timeline["items"]) tags += item.value("type", "") == "ConversationTagged";
  EXPECT_EQ(tags, 1);
}

TEST_F(InProcessApi, AnAppendThatFailsLateChangesNothingEither) {
  const std::string ana = DeskWithAConversation();
  const json before = Conversation();
  faulty_->DelayAppends(std::chrono::milliseconds(300));
  faulty_->FailAppend(1);
  // The command waits for the late answer, and it is a refusal.
  auto refused = Call(ana, "POST", Path("take"));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(Conversation(), before);
  // Still slow, no longer failing: the same command goes through, once.
  auto taken = Call(ana, "POST", Path("take"));
  EXPECT_EQ(taken.status, 200) << taken.body;
  EXPECT_EQ(Json(taken).value("assignee_id", ""), "ana");
  EXPECT_EQ(Json(taken).value("version", 0), before.value("version", 0) + 1);
}

TEST_F(InProcessApi, ReadsRefusedByTheLogDoNotBreakCommands) {
  const std::string ana = DeskWithAConversation();
  faulty_->RefuseReads(true);
  // Once the projector has met a refusal, the views stop following...
  ASSERT_TRUE(Eventually([&] { return faulty_->refused_reads() > 0; }));
  // ...but a command still decides and is durable (its answer, rendered from the views after
  // their 5 s of patience, is the conversation as they last saw it).
  auto taken = Call(ana, "POST", Path("take"));
  EXPECT_EQ(taken.status, 200) << taken.body;
  EXPECT_TRUE(Conversation()["assignee_id"].is_null()) << "the views read a refused log";
  faulty_->RefuseReads(false);
  json c;
  Eventually([&] {
    c = Conversation();
    return c["assignee_id"] == "ana";
  });
  EXPECT_EQ(c["assignee_id"], "ana") << "the views caught up once reads came back";
}

TEST_F(InProcessApi, DeliveryRetriesWaitOnTheNodesClock) {
  const std::string ana = DeskWithAConversation();
  ASSERT_EQ(Call(kAdmin, "PUT", "/api/v1/channels/wa/integration",
                 {{"outbound_url", "https://gateway.test/deliver"},
                  {"outbound_secret", "a-long-enough-secret"}})
                .status,
            200);
  ASSERT_EQ(Call(ana, "POST", Path("take")).status, 200);
  {
    std::lock_guard<std::mutex> lock(receiver_.mu);
    receiver_.script = {503, 503};  // then 200
  }
  ASSERT_EQ(Call(ana, "POST", Path("messages"), {{"text", "Seu pedido saiu"}}).status, 201);

  // The first attempt goes at once; the retry waits 1 s (the default base) on the node's clock.
  ASSERT_TRUE(Eventually([&] { return receiver_.posts() == 1; }));
  clock_.Advance(999);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // three passes of the worker
  EXPECT_EQ(receiver_.posts(), 1u) << "retried before its backoff";
  clock_.Advance(1);
  ASSERT_TRUE(Eventually([&] { return receiver_.posts() == 2; }));
  // The second retry waits twice as long.
  clock_.Advance(1999);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(receiver_.posts(), 2u);
  clock_.Advance(1);
  ASSERT_TRUE(Eventually([&] { return receiver_.posts() == 3; }));
  {
    std::lock_guard<std::mutex> lock(receiver_.mu);
    EXPECT_EQ(receiver_.attempts, (std::vector<std::string>{"1", "2", "3"}));
  }

  // Delivered on the third attempt, and recorded so.
  json message;
  ASSERT_TRUE(Eventually([&] {
    message = Json(Call(ana, "GET", Path("messages")))["items"].back();
    return message.value("delivery", "") == "delivered";
  })) << message.dump();
  EXPECT_EQ(message.value("delivery_attempts", 0), 3);
}

}  // namespace
}  // namespace helpdesk
