// Channels for real, against the real binary: WhatsApp Cloud API webhooks in (the verify-token
// handshake, signed POSTs), and agents' messages delivered out to the channel's outbound URL —
// signed, retried with backoff, recorded as MessageDelivered or MessageFailed. The provider is a
// local receiver started by the test: nothing leaves 127.0.0.1.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "tests/api_fixture.h"
#include "tests/support/http_receiver.h"

namespace helpdesk::testing {
namespace {

constexpr const char* kVerifyToken = "verify-me-please";
constexpr const char* kAppSecret = "meta-app-secret-123";
constexpr const char* kOutboundSecret = "outbound-secret-456";

std::string HmacHex(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", mac[i]);
    hex += buf;
  }
  return hex;
}

// A Cloud API notification with one text message.
json Notification(const std::string& wamid, const std::string& from, const std::string& text,
                  const std::string& name = "Rui") {
  return json{{"object", "whatsapp_business_account"},
              {"entry",
               {{{"id", "WABA"},
                 {"changes",
                  {{{"field", "messages"},
                    {"value",
                     {{"messaging_product", "whatsapp"},
                      {"contacts", {{{"wa_id", from}, {"profile", {{"name", name}}}}}},
                      {"messages",
                       {{{"from", from},
                         {"id", wamid},
                         {"timestamp", std::to_string(std::time(nullptr))},
                         {"type", "text"},
                         {"text", {{"body", text}}}}}}}}}}}}}}};
}

class ChannelsTest : public ApiTest {
 protected:
  // Short waits between delivery attempts, so that retries fit in a test. The server inherits
  // the environment.
  static void SetUpTestSuite() { setenv("HELPDESK_DELIVERY_BACKOFF_MS", "50", 1); }
  static void TearDownTestSuite() { unsetenv("HELPDESK_DELIVERY_BACKOFF_MS"); }
  void SetUp() override {
    ApiTest::SetUp();
    ana_ = CreateDeskWithAgentAna();
  }
  HttpReply Connect(const json& body) {
    return Admin("PUT", "/api/v1/channels/wa/integration", body);
  }
  void ConnectAll() {
    auto r = Connect({{"verify_token", kVerifyToken},
                      {"app_secret", kAppSecret},
                      {"outbound_url", receiver_.url()},
                      {"outbound_secret", kOutboundSecret}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  HttpReply Webhook(const std::string& body, const std::string& secret = kAppSecret) {
    return server().client().Send("POST", "/webhooks/whatsapp/wa", body,
                                  {{"X-Hub-Signature-256", "sha256=" + HmacHex(secret, body)},
                                   {"Content-Type", "application/json"}});
  }
  // A conversation taken by Ana, opened by a customer's message through the webhook.
  std::string OpenConversation(const std::string& wamid = "wamid.1") {
    auto r = Webhook(Notification(wamid, "5511988887777", "Olá").dump());
    EXPECT_EQ(r.status, 200) << r.body;
    auto list = Admin("GET", "/api/v1/conversations?view=all", nullptr,
                      {{"X-Min-Position", r.headers["x-position"]}});
    const auto ids = Ids(list);
    EXPECT_EQ(ids.size(), 1u);
    const std::string id = ids.empty() ? "" : ids[0];
    EXPECT_EQ(As(ana_, "POST", "/api/v1/conversations/" + id + "/take").status, 200);
    return id;
  }
  // The conversation's messages once it holds `count` of them and no delivery is pending. The
  // count matters: the view may not show a message just sent yet, and without it an older,
  // settled list would pass for the answer.
  json SettledMessages(const std::string& id, size_t count) {
    json items = json::array();
    for (int i = 0; i < 400; ++i) {
      const json page = Admin("GET", "/api/v1/conversations/" + id + "/messages").json();
      if (!page.is_object() || !page.contains("items")) continue;
      items = page["items"];
      bool pending = false;
      // A customer's message has no `delivery` (and const operator[] must not look it up).
      for (const json& item : items) pending |= item.value("delivery", json()) == "pending";
      if (items.size() >= count && !pending) return items;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return items;
  }

  HttpReceiver receiver_;
  std::string ana_;
};

TEST_F(ChannelsTest, TheVerifyTokenHandshakeEchoesTheChallenge) {
  ConnectAll();
  auto ok = server().client().Send(
      "GET", std::string("/webhooks/whatsapp/wa?hub.mode=subscribe&hub.verify_token=") +
                 kVerifyToken + "&hub.challenge=1158201444");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "1158201444");
  auto wrong = server().client().Send(
      "GET", "/webhooks/whatsapp/wa?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1");
  EXPECT_EQ(wrong.status, 403);
  auto unknown = server().client().Send(
      "GET", "/webhooks/whatsapp/zz?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1");
  EXPECT_EQ(unknown.status, 404);
}

TEST_F(ChannelsTest, ASignedNotificationOpensAConversationOnce) {
  ConnectAll();
  const std::string body = Notification("wamid.A1", "5511988887777", "Preciso de ajuda").dump();
  auto r = Webhook(body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["recorded"], 1);
  auto list = Admin("GET", "/api/v1/conversations?view=all", nullptr,
                    {{"X-Min-Position", r.headers["x-position"]}});
  ASSERT_EQ(Ids(list).size(), 1u);
  const json conversation = Conversation(Ids(list)[0]);
  EXPECT_EQ(conversation["contact"]["name"], "Rui");
  EXPECT_EQ(conversation["contact"]["phone"], "+5511988887777");
  EXPECT_EQ(conversation["last_message"]["text"], "Preciso de ajuda");
  // Meta sends again when unsure: recorded once.
  EXPECT_NO_NEW_EVENTS({
    auto again = Webhook(body);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.json()["repeated"], 1);
  });
}

TEST_F(ChannelsTest, UnsignedOrMalformedNotificationsChangeNothing) {
  ConnectAll();
  const std::string body = Notification("wamid.B1", "5511900000000", "hi").dump();
  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(Webhook(body, "another-secret").status, 401);
    EXPECT_EQ(server().client().Send("POST", "/webhooks/whatsapp/wa", body).status, 401);
    EXPECT_EQ(Webhook("{not json").status, 400);
    // Signed, but nested past the bound every body has: refused before it is parsed.
    EXPECT_EQ(Webhook(std::string(40, '[') + std::string(40, ']')).status, 400);
    EXPECT_EQ(Webhook(json{{"object", "page"}}.dump()).status, 400);
    EXPECT_EQ(Webhook(json{{"object", "whatsapp_business_account"}, {"entry", 3}}.dump()).status,
              400);
  });
  // Delivery receipts carry no message: acknowledged, nothing recorded.
  json statuses = Notification("wamid.B2", "5511900000000", "x");
  statuses["entry"][0]["changes"][0]["value"].erase("messages");
  statuses["entry"][0]["changes"][0]["value"]["statuses"] = json::array({{{"status", "read"}}});
  EXPECT_NO_NEW_EVENTS(EXPECT_EQ(Webhook(statuses.dump()).status, 200));
}

TEST_F(ChannelsTest, IntegrationIsForAdminsAndChecked) {
  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(As(ana_, "PUT", "/api/v1/channels/wa/integration",
                 json{{"outbound_url", receiver_.url()}, {"outbound_secret", kOutboundSecret}})
                  .status,
              403);
    EXPECT_EQ(
        Connect({{"outbound_url", "ftp://x"}, {"outbound_secret", kOutboundSecret}}).error_code(),
        "invalid_field");
    EXPECT_EQ(Connect({{"outbound_url", receiver_.url()}}).error_code(), "invalid_field");
    EXPECT_EQ(Connect({{"verify_token", kVerifyToken}}).error_code(), "invalid_field");
    EXPECT_EQ(Connect({{"app_secret", 42}}).error_code(), "invalid_field");
    EXPECT_EQ(Admin("PUT", "/api/v1/channels/zz/integration",
                    json{{"outbound_url", receiver_.url()}, {"outbound_secret", kOutboundSecret}})
                  .status,
              404);
  });
  ConnectAll();
  const json channel = Admin("GET", "/api/v1/channels/wa").json();
  EXPECT_EQ(channel["outbound_url"], receiver_.url());
  EXPECT_EQ(channel["webhooks"], true);
  // Secrets never come back out: not in the view, not in the feed.
  const std::string feed = Admin("GET", "/api/v1/events?type=ChannelIntegrationSet").body;
  EXPECT_EQ(feed.find(kAppSecret), std::string::npos);
  EXPECT_EQ(feed.find(kOutboundSecret), std::string::npos);
  EXPECT_NE(feed.find("ChannelIntegrationSet"), std::string::npos);
}

TEST_F(ChannelsTest, AnAgentsReplyIsDeliveredSignedAndRecorded) {
  ConnectAll();
  const std::string id = OpenConversation();
  auto sent = As(ana_, "POST", "/api/v1/conversations/" + id + "/messages",
                 json{{"text", "Claro, como posso ajudar?"}});
  ASSERT_EQ(sent.status, 201);
  EXPECT_EQ(sent.json()["delivery"], "pending");
  // A private note never leaves.
  ASSERT_EQ(As(ana_, "POST", "/api/v1/conversations/" + id + "/messages",
               json{{"text", "internal"}, {"private", true}})
                .status,
            201);
  ASSERT_TRUE(receiver_.WaitFor(1));
  const ReceivedRequest got = receiver_.requests().at(0);
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.path, "/deliver");
  EXPECT_EQ(got.headers.at("x-helpdesk-signature"), "sha256=" + HmacHex(kOutboundSecret, got.body));
  const json payload = json::parse(got.body);
  EXPECT_EQ(payload["text"], "Claro, como posso ajudar?");
  EXPECT_EQ(payload["to"]["phone"], "+5511988887777");
  EXPECT_EQ(payload["conversation_id"], id);
  EXPECT_EQ(got.headers.at("x-helpdesk-delivery"), payload["message_id"]);

  json items = SettledMessages(id, 3);  // not const: a missing key reads as null
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1]["delivery"], "delivered");
  EXPECT_EQ(items[1]["delivery_attempts"], 1);
  EXPECT_TRUE(items[2]["delivery"].is_null());
  auto feed = Admin("GET", "/api/v1/events?type=MessageDelivered").json();
  ASSERT_EQ(feed["items"].size(), 1u);
  EXPECT_EQ(feed["items"][0]["data"]["http_status"], 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(receiver_.requests().size(), 1u);  // delivered once, the note never

  // The receipt recorded in the background does not make the agent's version stale.
  const std::string seen = std::to_string(Conversation(id)["version"].get<uint64_t>() - 1);
  auto tagged = As(ana_, "POST", "/api/v1/conversations/" + id + "/tags", json{{"tag", "vip"}},
                   {{"If-Match", "\"" + seen + "\""}});
  EXPECT_EQ(tagged.status, 200) << tagged.body;
  auto stale = As(ana_, "POST", "/api/v1/conversations/" + id + "/tags", json{{"tag", "x"}},
                  {{"If-Match", "\"" + seen + "\""}});
  EXPECT_EQ(stale.error_code(), "version_conflict");  // the tag did change it
}

TEST_F(ChannelsTest, AFailingReceiverIsRetriedWithBackoff) {
  ConnectAll();
  const std::string id = OpenConversation();
  receiver_.Program({503, 500});  // then 200
  ASSERT_EQ(
      As(ana_, "POST", "/api/v1/conversations/" + id + "/messages", json{{"text", "oi"}}).status,
      201);
  ASSERT_TRUE(receiver_.WaitFor(3));
  const auto requests = receiver_.requests();
  EXPECT_EQ(requests[0].headers.at("x-helpdesk-attempt"), "1");
  EXPECT_EQ(requests[2].headers.at("x-helpdesk-attempt"), "3");
  EXPECT_EQ(requests[0].headers.at("x-helpdesk-delivery"),
            requests[2].headers.at("x-helpdesk-delivery"));
  json items = SettledMessages(id, 2);  // not const: a missing key reads as null
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items.back()["delivery"], "delivered");
  EXPECT_EQ(items.back()["delivery_attempts"], 3);
}

TEST_F(ChannelsTest, ARefusingOrDeadReceiverEndsInMessageFailed) {
  ConnectAll();
  const std::string id = OpenConversation();
  receiver_.Program({400});  // the receiver refuses this message: no retry
  ASSERT_EQ(
      As(ana_, "POST", "/api/v1/conversations/" + id + "/messages", json{{"text", "a"}}).status,
      201);
  json items = SettledMessages(id, 2);
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items.back()["delivery"], "failed") << items.dump();
  EXPECT_EQ(items.back()["delivery_attempts"], 1);
  EXPECT_NE(items.back().value("delivery_error", std::string()).find("400"), std::string::npos);

  // Nobody listening at all: every attempt is made, then it fails.
  ASSERT_EQ(Connect({{"outbound_url", "http://127.0.0.1:" + std::to_string(FreePort()) + "/x"},
                     {"outbound_secret", kOutboundSecret}})
                .status,
            200);
  ASSERT_EQ(
      As(ana_, "POST", "/api/v1/conversations/" + id + "/messages", json{{"text", "b"}}).status,
      201);
  items = SettledMessages(id, 3);
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items.back()["delivery"], "failed") << items.dump();
  EXPECT_EQ(items.back()["delivery_attempts"], 6);
  auto failed = Admin("GET", "/api/v1/events?type=MessageFailed").json();
  EXPECT_EQ(failed["items"].size(), 2u);
}

TEST_F(ChannelsTest, OutboundUrlsMustBePublicHttpsAtEveryAttempt) {
  server().Stop();
  server().DenyPrivateOutbound();  // the production rules
  ASSERT_TRUE(server().Start());
  const std::string port = std::to_string(receiver_.port());
  for (const std::string& url :
       {receiver_.url(), "https://127.0.0.1:" + port + "/x",
        std::string("https://169.254.169.254/latest"), std::string("https://10.0.0.8/in"),
        std::string("https://[::1]/in")}) {
    auto r = Connect({{"outbound_url", url}, {"outbound_secret", kOutboundSecret}});
    EXPECT_EQ(r.status, 400) << url << " " << r.body;
    EXPECT_EQ(r.error_code(), "invalid_field") << url;
  }
  // A name is only known when resolved: checked at each attempt, and nothing is sent.
  ASSERT_EQ(Connect({{"verify_token", kVerifyToken},
                     {"app_secret", kAppSecret},
                     {"outbound_url", "https://localhost:" + port + "/x"},
                     {"outbound_secret", kOutboundSecret}})
                .status,
            200);
  const std::string id = OpenConversation();
  ASSERT_EQ(
      As(ana_, "POST", "/api/v1/conversations/" + id + "/messages", json{{"text", "a"}}).status,
      201);
  json items = SettledMessages(id, 2);
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items.back()["delivery"], "failed") << items.dump();
  EXPECT_NE(items.back().value("delivery_error", std::string()).find("non-public"),
            std::string::npos)
      << items.dump();
  EXPECT_TRUE(receiver_.requests().empty());
}

}  // namespace
}  // namespace helpdesk::testing
