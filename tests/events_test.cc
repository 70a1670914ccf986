// Events as data: every type's payload, as the log has always carried it, decodes into its
// struct and encodes back to the same bytes; unknown types and non-objects decode to nothing;
// missing fields read as their defaults.
#include "domain/events.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace helpdesk {
namespace {

using nlohmann::json;

// One payload per type, written as the deciders wrote them before events were structs.
const std::pair<const char*, const char*> kPayloads[] = {
    {"ConversationOpened",
     R"({"assignee_id":null,"channel_id":"wa","channel_type":"whatsapp","contact_id":"k1","conversation_id":"c1","origin":"customer","status":"queued","subject":null,"team_id":null})"},
    {"MessageReceived",
     R"({"attachments":[],"external_id":"e1","message_id":"m1","quoted":"","sent_at":"2026-12-03T10:00:00.250Z","text":"Oi"})"},
    {"MessageSent",
     R"({"author_id":"ana","await_reply":true,"message_id":"m2","quick_reply_id":"q1","template_id":null,"text":"Olá"})"},
    {"MessageSent",
     R"({"attachments":[{"content_type":"image/png","kind":"image","name":"a.png","sha256":"ab","size":3}],"author_id":"ana","await_reply":false,"deliver":true,"message_id":"m3","quick_reply_id":null,"template_id":"t1","text":""})"},
    {"NoteAdded",
     R"({"author_id":"ana","mentions":["bia"],"message_id":"m4","quick_reply_id":null,"text":"@bia"})"},
    {"AwaitingCustomer", R"({})"},
    {"ConversationAssigned", R"({"assignee_id":"ana","previous_assignee_id":null,"via":"take"})"},
    {"ConversationTransferred",
     R"({"from_team_id":null,"from_user_id":"ana","team_members":["bia","caio"],"to_team_id":"sac","to_user_id":null})"},
    {"ConversationPostponed", R"({"from_status":"open","until":"2026-12-04T09:00:00Z"})"},
    {"ConversationWoke", R"({"cause":"timer","to_status":"open"})"},
    {"ConversationTagged", R"({"tag":"vip"})"},
    {"ConversationUntagged", R"({"tag":"vip"})"},
    {"ConversationClosed", R"({"reason":"solved"})"},
    {"ConversationReopened", R"({"cause":"customer_message","to_status":"queued"})"},
    {"ConversationRead", R"({"unread":3,"user_id":"ana"})"},
    {"ParticipantAdded", R"({"invited_by":"ana","user_id":"bia"})"},
    {"ParticipantRemoved", R"({"removed_by":"bia","user_id":"bia"})"},
    {"ConversationIgnored", R"({"until":"2026-12-05T00:00:00Z","user_id":"ana"})"},
    {"ConversationDeleted", R"({"reason":"spam","status":"queued"})"},
    {"MessageDelivered", R"({"attempts":1,"http_status":200,"message_id":"m3"})"},
    {"MessageFailed",
     R"({"attempts":5,"error":"the receiver answered HTTP 500","http_status":500,"message_id":"m3"})"},
    {"UserCreated",
     R"({"email":"ana@x.co","name":"Ana","role":"agent","teams":["sac"],"token_sha256":"d1","user_id":"ana"})"},
    {"UserPresenceChanged", R"({"status":"away","user_id":"ana"})"},
    {"UserUpdated", R"({"active":false,"role":"supervisor","user_id":"ana"})"},
    {"UserUpdated",
     R"({"avatar_url":"https://x.co/a.png","email":"a@x.co","name":"Ana B","user_id":"ana"})"},
    {"UserTokenIssued",
     R"({"expires_at":"2027-01-01T00:00:00Z","name":"ci","token_id":"t1","token_sha256":"d2","user_id":"ana"})"},
    {"UserTokenIssued",
     R"({"expires_at":null,"name":"laptop","token_id":"t2","token_sha256":"d3","user_id":"ana"})"},
    {"UserTokenRevoked", R"({"token_id":"t1","user_id":"ana"})"},
    {"NotificationsRead", R"({"all_before":"2026-12-03T10:00:00Z","ids":["n1"],"user_id":"ana"})"},
    {"NotificationsRead", R"({"all_before":null,"ids":[],"user_id":"ana"})"},
    {"TeamCreated", R"({"name":"SAC","team_id":"sac"})"},
    {"TeamMemberAdded", R"({"team_id":"sac","user_id":"bia"})"},
    {"ChannelCreated",
     R"({"address":"+55 11 4000","channel_id":"wa","name":"WA","token_sha256":"d2","type":"whatsapp"})"},
    {"ChannelIntegrationSet",
     R"({"app_secret":"s3cr3t-app","channel_id":"wa","outbound_secret":"s3cr3t-out","outbound_url":"https://x.co/in","verify_token_sha256":"d3"})"},
    {"ContactCreated",
     R"({"channel_id":"wa","contact_id":"k1","email":"","name":"Rui","phone":"+55 11 9","stage":"lead"})"},
    {"ContactStageChanged",
     R"({"contact_id":"k1","from":"lead","from_funnel_id":"default","funnel_id":"b2b","stage":"demo"})"},
    {"FunnelDefined",
     R"({"funnel_id":"b2b","name":"B2B","stages":[{"id":"new","kind":"open","name":"New"},{"id":"signed","kind":"won","name":"Signed"}]})"},
    {"DealCreated",
     R"({"contact_id":"k1","conversation_id":null,"currency":"BRL","deal_id":"d1","expected_close_on":"2026-12-31","funnel_id":"b2b","owner_id":"ana","stage_id":"new","status":"open","title":"Plano","value":1200.5})"},
    {"DealUpdated", R"({"deal_id":"d1","expected_close_on":null,"owner_id":"bia","value":1500.0})"},
    {"DealMoved",
     R"({"deal_id":"d1","from":"new","funnel_id":"b2b","moved_on":false,"reason":"price","status":"lost","to":"dropped"})"},
    {"DealReopened", R"({"deal_id":"d1","from":"dropped","funnel_id":"b2b","to":"new"})"},
    {"TaskTypeDefined",
     R"({"name":"Visita","type_id":"visit"})"},
    {"TaskCreated",
     R"({"assignee_id":null,"contact_id":"k9","conversation_id":null,"deal_id":null,"description":"Sobre a troca","due_at":"2026-12-05T10:00:00Z","email_template":null,"occurrence_at":"2026-12-04T09:00:00Z","schedule_id":"s1","status":"queued","task_id":"k1","team_id":"t1","team_members":["ana","bia"],"title":"Ligar","type":"call"})"},
    {"TaskUpdated",
     R"({"description":null,"due_at":null,"task_id":"k1","title":"Ligar hoje"})"},
    {"TaskTaken",
     R"({"task_id":"k1","user_id":"ana"})"},
    {"TaskTransferred",
     R"({"from_team_id":"t1","from_user_id":"ana","status":"queued","task_id":"k1","team_members":["caio"],"to_team_id":"t2","to_user_id":null})"},
    {"TaskStarted",
     R"({"task_id":"k1"})"},
    {"TaskFinished",
     R"({"late":true,"outcome":"feito","task_id":"k1"})"},
    {"TaskArchived",
     R"({"reason":null,"task_id":"k1"})"},
    {"TaskReopened",
     R"({"assignee_id":"ana","from":"done","task_id":"k1"})"},
    {"TaskReminded",
     R"({"due_at":"2026-12-05T10:00:00Z","reminder":"overdue","task_id":"k1","user_ids":["ana"]})"},
    {"TaskScheduleDefined",
     R"({"at":"08:30","day":31,"every":"month","schedule_id":"s1","task":{"due_in_minutes":60,"title":"Fechar o mês","type":"custom"},"tz":"Europe/Lisbon"})"},
    {"TaskScheduleStopped",
     R"({"schedule_id":"s1"})"},
    {"TaskScheduleOccurred",
     R"({"occurrence_at":"2026-12-31T08:30:00Z","schedule_id":"s1","task_id":"k1"})"},
    {"ContactBlocked", R"({"contact_id":"k1","reason":"abuse"})"},
    {"ContactUnblocked", R"({"contact_id":"k1"})"},
    {"BlockedMessageReceived",
     R"({"attachments":[],"channel_id":"wa","contact_id":"k1","external_id":"e9","message_id":"m9","sent_at":"2026-12-03T10:00:00Z","text":"hi"})"},
    {"ContactOptedIn", R"({"channel_id":"wa","contact_id":"k1","source":"checkout"})"},
    {"ContactOptedOut", R"({"channel_id":"wa","contact_id":"k1"})"},
    {"ProtocolIssued",
     R"({"conversation_id":"c1","number":123,"protocol":"2026-000123","year":2026})"},
    {"TemplateCreated",
     R"({"body":"Olá {{1}}","channel_id":"wa","name":"hello","params":1,"template_id":"t1"})"},
    {"QuickReplyCreated",
     R"({"owner_id":"ana","quick_reply_id":"q1","shortcut":"/ola","text":"Olá!","visibility":"private"})"},
    {"QuickReplyUpdated", R"({"shortcut":"/oi","text":"Oi!","visibility":"public"})"},
    {"QuickReplyDeleted", R"({})"},
    {"DeskSettingsUpdated", R"({"agent_visibility":"teams"})"},
    {"DeskSettingsUpdated", R"({"close_reasons":["resolvido","spam"]})"},
    {"ContactErased", R"({"contact_id":"k1","conversation_ids":["c1","c2"]})"},
    {"ContactCreated",
     R"({"attributes":{"cpf":"123"},"channel_id":"","contact_id":"k2","email":"r@x.co","name":"Rui","owner_id":"ana","phone":"","social":{"x":"@rui"},"stage":"","tags":["vip"]})"},
    {"ContactCreated",
     R"({"channel_id":"","contact_id":"k3","email":"","import_id":"i1","import_row":42,"name":"Bia","phone":"+55 11 8","stage":"lead"})"},
    {"ContactUpdated",
     R"({"attributes":{"cpf":null,"plan":"gold"},"contact_id":"k2","name":"Rui B","phone":null,"tags":[]})"},
    {"ContactUpdated",
     R"({"contact_id":"k2","email":"rui@x.co","social":{"site":"https://r.co"}})"},
    {"ContactOwnerChanged", R"({"contact_id":"k2","from":null,"owner_id":"ana"})"},
    {"ContactNoteAdded",
     R"({"author_id":"ana","contact_id":"k2","mentions":["bia"],"note_id":"n1","text":"@bia call"})"},
    {"ContactAttributeDefined", R"({"key":"cpf","label":"CPF","type":"text"})"},
    {"ContactsMerged", R"({"contact_id":"k2","conversation_ids":["c1"],"from":"k1"})"},
    {"OrderRecorded",
     R"({"contact_id":"k2","order":{"currency":"BRL","external_id":"o-1","items":[{"name":"Tênis","price":199.9,"quantity":1,"sku":"T-42"}],"kind":"order","number":"1001","placed_at":"2026-12-01T10:00:00Z","status":"shipped","total":199.9,"url":"https://shop.example/o/1001"}})"},
    {"ContactErased", R"({"contact_id":"k2","conversation_ids":[],"merged_ids":["k1"]})"},
    {"ContactAttributeDefined",
     R"({"key":"plan","label":"Plan","options":["gold","silver"],"type":"list"})"},
    {"ConversationDetailsChanged", R"({"order_ref":null,"subject":"Troca","type":"troca"})"},
    {"ContactImportStarted", R"({"file_sha256":"ab12","import_id":"i1","mode":"upsert","rows":3})"},
    {"ContactImportProgressed",
     R"({"created":1,"errors":[{"field":"phone","message":"must be a phone number","row":2}],"import_id":"i1","rows_done":2,"skipped":1,"unchanged":0,"updated":0})"},
    {"ContactImportFinished",
     R"({"created":1,"errors":[],"import_id":"i1","reason":"interrupted","rows_done":2,"skipped":1,"status":"failed","unchanged":0,"updated":0})"},
};

TEST(Events, EveryPayloadRoundTripsByteForByte) {
  std::set<std::string> types;
  for (const auto& [type, payload] : kPayloads) {
    const json original = json::parse(payload);
    auto decoded = events::Decode(type, original);
    ASSERT_TRUE(decoded.has_value()) << type;
    const DomainEvent again = events::Encode(*decoded);
    EXPECT_EQ(again.type, type);
    EXPECT_EQ(again.data.dump(), original.dump()) << type;
    types.insert(type);
  }
  // Every alternative of the variant is exercised above.
  EXPECT_EQ(types.size(), std::variant_size_v<events::Event>);
}

TEST(Events, UnknownTypesAndNonObjectsDecodeToNothing) {
  EXPECT_FALSE(events::Decode("SomethingNew", json::object()).has_value());
  EXPECT_FALSE(events::Decode("ConversationTagged", json::array()).has_value());
  EXPECT_FALSE(events::Decode("ConversationTagged", json("vip")).has_value());
}

TEST(Events, MissingOrMistypedFieldsReadAsDefaults) {
  auto opened = events::Decode("ConversationOpened", json{{"conversation_id", 7}});
  ASSERT_TRUE(opened);
  const auto& o = std::get<events::ConversationOpened>(*opened);
  EXPECT_EQ(o.conversation_id, "");
  EXPECT_EQ(o.status, "queued");
  EXPECT_FALSE(o.assignee_id.has_value());
  auto received = events::Decode("MessageReceived", json{{"sent_at", "not a time"}});
  ASSERT_TRUE(received);
  EXPECT_FALSE(std::get<events::MessageReceived>(*received).sent_at.has_value());
  EXPECT_TRUE(std::get<events::MessageReceived>(*received).attachments.is_array());
  auto user = events::Decode("UserCreated", json{{"teams", json::array({"a", 1, "b"})}});
  ASSERT_TRUE(user);
  EXPECT_EQ(std::get<events::UserCreated>(*user).teams, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(std::get<events::UserCreated>(*user).role, "agent");
}

}  // namespace
}  // namespace helpdesk
