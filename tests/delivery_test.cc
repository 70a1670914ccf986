// Channels for real, the pure rules: delivery verdicts and backoff, the delivery payload, the
// delivery outcome on a conversation, and WhatsApp Cloud API webhook payloads.
#include "domain/delivery.h"

#include <gtest/gtest.h>

#include "domain/conversation.h"
#include "domain/whatsapp.h"

namespace helpdesk {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

TEST(Delivery, BackoffDoublesUpToFiveMinutes) {
  EXPECT_EQ(DeliveryBackoff(1, milliseconds(1000)), milliseconds(1000));
  EXPECT_EQ(DeliveryBackoff(2, milliseconds(1000)), milliseconds(2000));
  EXPECT_EQ(DeliveryBackoff(5, milliseconds(1000)), milliseconds(16000));
  EXPECT_EQ(DeliveryBackoff(40, milliseconds(1000)), milliseconds(300000));
}

TEST(Delivery, TwoHundredsDeliverTransientFailuresRetryRefusalsGiveUp) {
  EXPECT_EQ(JudgeDelivery(200, 1, 6), DeliveryVerdict::kDelivered);
  EXPECT_EQ(JudgeDelivery(204, 6, 6), DeliveryVerdict::kDelivered);
  EXPECT_EQ(JudgeDelivery(0, 1, 6), DeliveryVerdict::kRetry);  // no answer
  EXPECT_EQ(JudgeDelivery(503, 5, 6), DeliveryVerdict::kRetry);
  EXPECT_EQ(JudgeDelivery(429, 2, 6), DeliveryVerdict::kRetry);
  EXPECT_EQ(JudgeDelivery(408, 2, 6), DeliveryVerdict::kRetry);
  EXPECT_EQ(JudgeDelivery(503, 6, 6), DeliveryVerdict::kGiveUp);  // attempts used up
  EXPECT_EQ(JudgeDelivery(400, 1, 6), DeliveryVerdict::kGiveUp);
  EXPECT_EQ(JudgeDelivery(404, 1, 6), DeliveryVerdict::kGiveUp);
  EXPECT_EQ(JudgeDelivery(301, 1, 6), DeliveryVerdict::kGiveUp);
}

TEST(Delivery, ThePayloadNamesTheMessageAndItsRecipient) {
  OutboundMessage m;
  m.message_id = "m1";
  m.conversation_id = "c1";
  m.channel_id = "wa";
  m.channel_type = "whatsapp";
  m.text = "Olá";
  m.to_phone = "+5511988887777";
  m.sent_at = "2026-11-30T10:00:00Z";
  const json p = DeliveryPayload(m);
  EXPECT_EQ(p["message_id"], "m1");
  EXPECT_EQ(p["to"], json({{"phone", "+5511988887777"}}));
  EXPECT_TRUE(p["template_id"].is_null());
  EXPECT_EQ(p["attachments"], json::array());
}

ConversationState WithUndelivered(const std::string& message_id) {
  ConversationState s;
  s.exists = true;
  s.id = "c1";
  Evolve(s,
         NewEvent{"", "conversation/c1", ev::kMessageSent, Timestamp{0}, Actor{},
                  json{{"message_id", message_id}, {"text", "x"}, {"deliver", true}}},
         1);
  return s;
}

TEST(Delivery, AnOutcomeIsRecordedOnceForAMessageWaitingForIt) {
  ConversationState s = WithUndelivered("m1");
  EXPECT_EQ(s.undelivered.count("m1"), 1u);
  auto delivered = conversation::DecideDeliveryOutcome(s, {"m1", true, 2, 200, ""});
  ASSERT_TRUE(delivered.ok());
  ASSERT_EQ(delivered.value().size(), 1u);
  EXPECT_EQ(delivered.value()[0].type, ev::kMessageDelivered);
  EXPECT_EQ(delivered.value()[0].data["attempts"], 2);
  Evolve(s,
         NewEvent{"", "", ev::kMessageDelivered, Timestamp{1}, Actor{}, delivered.value()[0].data},
         2);
  // A second report (another node, a restart) changes nothing.
  auto again = conversation::DecideDeliveryOutcome(s, {"m1", false, 6, 0, "late"});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.value().empty());
  auto failed =
      conversation::DecideDeliveryOutcome(WithUndelivered("m2"), {"m2", false, 6, 503, "HTTP 503"});
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed.value()[0].type, ev::kMessageFailed);
  EXPECT_EQ(failed.value()[0].data["error"], "HTTP 503");
}

TEST(Delivery, OnlyPublicRepliesOnAConnectedChannelAreDelivered) {
  EXPECT_TRUE(GoesThroughProvider(false, "https://gw.example/out"));
  EXPECT_FALSE(GoesThroughProvider(true, "https://gw.example/out"));  // a private note
  EXPECT_FALSE(GoesThroughProvider(false, ""));                       // not connected
  ConversationState s;
  s.exists = true;
  s.status = ConversationStatus::kOpen;
  conversation::Reply reply;
  reply.message_id = "m1";
  reply.text = "hi";
  reply.deliver = true;
  auto events = conversation::DecideReply(s, reply);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events.value()[0].data["deliver"], true);
  reply.deliver = false;
  EXPECT_FALSE(conversation::DecideReply(s, reply).value()[0].data.contains("deliver"));
}

json Notification(const json& message) {
  return json{{"object", "whatsapp_business_account"},
              {"entry",
               {{{"changes",
                  {{{"field", "messages"},
                    {"value",
                     {{"contacts", {{{"wa_id", "5511988887777"}, {"profile", {{"name", "Rui"}}}}}},
                      {"messages", {message}}}}}}}}}}};
}

TEST(WhatsAppWebhook, ATextMessageBecomesAnInboundMessage) {
  auto parsed = ParseWhatsAppWebhook(Notification({{"from", "5511988887777"},
                                                   {"id", "wamid.1"},
                                                   {"timestamp", "1764496800"},
                                                   {"type", "text"},
                                                   {"text", {{"body", "Olá"}}}}));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed.value().size(), 1u);
  const WhatsAppInbound& m = parsed.value()[0];
  EXPECT_EQ(m.external_id, "wamid.1");
  EXPECT_EQ(m.phone, "+5511988887777");
  EXPECT_EQ(m.name, "Rui");
  EXPECT_EQ(m.text, "Olá");
  ASSERT_TRUE(m.sent_at);
  EXPECT_EQ(m.sent_at->ms, 1764496800000);
}

// Found by fuzz_whatsapp_webhook: seconds past what milliseconds can hold overflowed.
TEST(WhatsAppWebhook, ATimestampPastYear9999IsIgnoredAndTheMessageKept) {
  for (const char* timestamp : {"1764001076792900000", "253402300800", "-5", "12x"}) {
    auto parsed = ParseWhatsAppWebhook(Notification({{"from", "5511988887777"},
                                                     {"id", "wamid.1"},
                                                     {"timestamp", timestamp},
                                                     {"type", "text"},
                                                     {"text", {{"body", "Olá"}}}}));
    ASSERT_TRUE(parsed.ok()) << timestamp;
    ASSERT_EQ(parsed.value().size(), 1u);
    EXPECT_FALSE(parsed.value()[0].sent_at.has_value()) << timestamp;
  }
  auto last = ParseWhatsAppWebhook(
      Notification({{"from", "1"}, {"id", "w"}, {"timestamp", "253402300799"}, {"type", "text"}}));
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(last.value()[0].sent_at.has_value());
  EXPECT_EQ(last.value()[0].sent_at->ms, 253402300799000);
}

TEST(WhatsAppWebhook, MediaBecomesAnAttachmentWithItsCaption) {
  auto parsed = ParseWhatsAppWebhook(
      Notification({{"from", "5511988887777"},
                    {"id", "wamid.2"},
                    {"type", "audio"},
                    {"audio", {{"id", "MEDIA1"}, {"mime_type", "audio/ogg; codecs=opus"}}}}));
  ASSERT_TRUE(parsed.ok());
  const WhatsAppInbound& m = parsed.value()[0];
  EXPECT_EQ(m.text, "");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0]["whatsapp_media_id"], "MEDIA1");
  EXPECT_EQ(m.attachments[0]["kind"], "audio");
  auto image = ParseWhatsAppWebhook(Notification({{"from", "1"},
                                                  {"id", "w3"},
                                                  {"type", "image"},
                                                  {"image", {{"id", "M2"}, {"caption", "nota"}}}}));
  EXPECT_EQ(image.value()[0].text, "nota");
}

TEST(WhatsAppWebhook, OtherTypesAreKeptVisible) {
  auto button = ParseWhatsAppWebhook(Notification(
      {{"from", "1"}, {"id", "w4"}, {"type", "button"}, {"button", {{"text", "Sim"}}}}));
  EXPECT_EQ(button.value()[0].text, "Sim");
  auto reaction =
      ParseWhatsAppWebhook(Notification({{"from", "1"}, {"id", "w5"}, {"type", "reaction"}}));
  EXPECT_EQ(reaction.value()[0].text, "[reaction message]");
}

TEST(WhatsAppWebhook, StatusesCarryNoMessagesAndGarbageIsRefused) {
  json statuses = Notification(json::object());
  statuses["entry"][0]["changes"][0]["value"].erase("messages");
  auto parsed = ParseWhatsAppWebhook(statuses);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed.value().empty());
  EXPECT_FALSE(ParseWhatsAppWebhook(json{{"object", "page"}}).ok());
  EXPECT_FALSE(ParseWhatsAppWebhook(json{{"object", "whatsapp_business_account"}}).ok());
  EXPECT_FALSE(ParseWhatsAppWebhook(Notification({{"id", "no-from"}})).ok());
  EXPECT_FALSE(ParseWhatsAppWebhook(json::array()).ok());
}

TEST(WhatsAppWebhook, TheHandshakeModeIsSubscribe) {
  EXPECT_TRUE(IsWhatsAppSubscribe("subscribe"));
  EXPECT_FALSE(IsWhatsAppSubscribe("unsubscribe"));
}

}  // namespace
}  // namespace helpdesk
