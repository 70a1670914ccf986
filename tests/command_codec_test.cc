// Commands as data: every command crosses the cluster hop unchanged, is routed by the stream it
// is about, and an unreadable one is refused with a clear error.
#include "commands/command_codec.h"

#include <gtest/gtest.h>

#include <set>

#include "domain/protocol.h"

namespace helpdesk {
namespace {

using nlohmann::json;

const Timestamp kAt = *ParseRfc3339("2026-03-01T12:30:00.250Z");

// One of each command, every field set to something other than its default, so that a field
// the codec forgets comes back different.
std::vector<Command> OneOfEach() {
  const json files = json::array({{{"sha256", "ab"}, {"name", "a.png"}}});
  return {
      cmd::CreateUser{"u1", "Ana", "ana@x.co", "agent", {"t1", "t2"}, "digest"},
      cmd::SetPresence{"u1", "away"},
      cmd::UpdateUser{"u1", "Ana B", "ana@y.co", "supervisor", "https://x/a.png", false},
      cmd::IssueUserToken{"u1", "tok1", "ci", kAt, "digest"},
      cmd::RevokeUserToken{"u1", "tok1"},
      cmd::CreateTeam{"t1", "Suporte"},
      cmd::AddTeamMember{"t1", "u1"},
      cmd::RemoveTeamMember{"t1", "u1"},
      cmd::CreateChannel{"wa", "whatsapp", "WA", "+55", "digest"},
      cmd::SetChannelIntegration{"wa", "verify-me", "app-secret", "https://x/y", "out-secret"},
      cmd::SetContactStage{"k1", "demo", "b2b"},
      cmd::DefineFunnel{"b2b", "B2B", {{"new", "New", "open"}, {"signed", "Signed", "won"}}, true},
      cmd::CreateDeal{"d1", "Plano", "k1", "b2b", "new", 1200.5, "BRL", "u1", "c1", "2026-12-31"},
      cmd::UpdateDeal{"d1", "Plano anual", 1500.0, "USD", "", "2027-01-15", 2},
      cmd::MoveDeal{"d1", "lost", "price", 3},
      cmd::ReopenDeal{"d1", "new", 4},
      cmd::DefineTaskType{"visit", "Visita"},
      cmd::CreateTask{"k1", "call", "Ligar", "Sobre a troca", kAt, "u1", "t1", "c9", "c1", "d1",
                      "modelo-1"},
      cmd::UpdateTask{"k1", "Ligar hoje", "", kAt, true, 3},
      cmd::ActOnTask{"k1", "finish", "feito", 4},
      cmd::TransferTask{"k1", "u2", "t2", 5},
      cmd::RemindTask{"k1"},
      cmd::DefineTaskSchedule{"s1",
                              "week",
                              "08:30",
                              "Europe/Lisbon",
                              1,
                              std::nullopt,
                              {{"type", "call"}, {"title", "Revisar"}, {"due_in_minutes", 60}}},
      cmd::StopTaskSchedule{"s1"},
      cmd::RunTaskSchedule{"s1", kAt},
      cmd::SetContactBlocked{"k1", true, "spam"},
      cmd::SetOptIn{"k1", "wa", true, "form"},
      cmd::MarkNotificationsRead{{"n1", "n2"}, true},
      cmd::ReceiveInbound{"wa", "wamid.1", "oi", "<p>oi</p>", "Pedido", "João", "+55 11 9",
                          "j@x.co", kAt, files},
      cmd::SendMessage{"c1", "olá", true, true, "qr1", "tpl1", {"a", "b"}, files, 7},
      cmd::Take{"c1", 1},
      cmd::Assign{"c1", "u1", 2},
      cmd::Transfer{"c1", "u1", "t1", 3},
      cmd::Postpone{"c1", kAt, 4},
      cmd::Tag{"c1", "vip", 5},
      cmd::Untag{"c1", "vip", 6},
      cmd::Close{"c1", "solved", 7},
      cmd::UpdateConversation{"c1", "Troca", "", "o-1", 3},
      cmd::Reopen{"c1", 8},
      cmd::MarkRead{"c1"},
      cmd::Invite{"c1", "u2", 9},
      cmd::Leave{"c1", "u2", 10},
      cmd::Ignore{"c1", kAt},
      cmd::IssueProtocol{"c1"},
      cmd::DeleteConversation{"c1", "gdpr", 11},
      cmd::StartConversation{"c2", "k1", "wa", "tpl1", {"x"}},
      cmd::CreateQuickReply{"q1", "/ola", "Olá!", "private"},
      cmd::UpdateQuickReply{"q1", "/oi", "Oi!", "public"},
      cmd::DeleteQuickReply{"q1"},
      cmd::CreateTemplate{"tpl1", "wa", "pedido", "Olá {{1}}"},
      cmd::WakeDue{"c1"},
      cmd::RecordDelivery{"c1", {"m1", true, 3, 202, "none"}},
      cmd::UpdateDeskSettings{"teams", std::vector<std::string>{"resolvido", "spam"}},
      cmd::EraseContact{"k1"},
      cmd::CreateContact{"k2",
                         "Rui",
                         "+55 11 9",
                         "r@x.co",
                         "u1",
                         {"vip"},
                         json{{"cpf", "1"}},
                         json{{"x", "@rui"}}},
      cmd::UpdateContact{"k2", "Rui B", "", std::nullopt, std::vector<std::string>{"a"},
                         json{{"cpf", nullptr}}, nullptr, 3},
      cmd::SetContactOwner{"k2", "u1"},
      cmd::AddContactNote{"k2", "@ana call back"},
      cmd::DefineContactAttribute{"plan", "Plan", "list", {"gold", "silver"}},
      cmd::MergeContacts{"k2", "k1"},
      cmd::RecordOrder{"k2", "o-1", json{{"number", "1001"}, {"kind", "order"}}},
      cmd::ImportContactRow{"i1", "upsert", "", "Rui", "+55 11 9", "", "u1",
                            std::vector<std::string>{"vip"}, "lead", json{{"cpf", "1"}}},
      cmd::RecordContactImport{"i1",
                               "progress",
                               "upsert",
                               "ab12",
                               "",
                               10,
                               4,
                               1,
                               1,
                               1,
                               1,
                               {ImportRowError{3, "phone", "must be a phone number"}},
                               "node-7"},
  };
}

TEST(CommandCodec, EveryCommandCrossesTheHopUnchanged) {
  const std::vector<Command> all = OneOfEach();
  ASSERT_EQ(all.size(), std::variant_size_v<Command>) << "one of each command, please";
  std::set<size_t> kinds;
  const Caller caller{"u1", Role::kSupervisor, ""};
  for (const Command& command : all) {
    kinds.insert(command.index());
    // As it travels: through text, not just a JSON tree.
    const json wire = json::parse(EncodeCommand(caller, command).dump());
    EXPECT_EQ(wire["op"], CommandName(command));
    auto decoded = DecodeCommand(wire);
    ASSERT_TRUE(decoded.ok()) << CommandName(command) << ": " << decoded.error().message;
    EXPECT_TRUE(decoded.value().command == command)
        << CommandName(command) << " changed on the way";
    EXPECT_EQ(decoded.value().caller.user_id, "u1");
    EXPECT_EQ(decoded.value().caller.role, Role::kSupervisor);
  }
  EXPECT_EQ(kinds.size(), all.size()) << "a command listed twice";
}

TEST(CommandCodec, AbsentOptionalsStayAbsent) {
  const Command sent = cmd::Transfer{"c1", std::nullopt, "t1", std::nullopt};
  auto decoded = DecodeCommand(EncodeCommand(Caller::System(), sent));
  ASSERT_TRUE(decoded.ok());
  const auto& t = std::get<cmd::Transfer>(decoded.value().command);
  EXPECT_FALSE(t.user_id.has_value());
  EXPECT_FALSE(t.if_match.has_value());
  EXPECT_EQ(t.team_id, "t1");
}

TEST(CommandCodec, UnreadableCommandsAreRefusedByName) {
  const Caller caller{"u1", Role::kAgent, ""};
  json good = EncodeCommand(caller, cmd::Tag{"c1", "vip", std::nullopt});

  json unknown_op = good;
  unknown_op["op"] = "launch_rockets";
  json missing_field = good;
  missing_field["args"].erase("tag");
  json wrong_type = good;
  wrong_type["args"]["if_match"] = "seven";
  json bad_role = good;
  bad_role["caller"]["role"] = "emperor";
  json bad_time = EncodeCommand(caller, cmd::Ignore{"c1", kAt});
  bad_time["args"]["until"] = "tomorrow";

  for (const json& bad : {unknown_op, missing_field, wrong_type, bad_role, bad_time, json(42)}) {
    auto decoded = DecodeCommand(bad);
    ASSERT_FALSE(decoded.ok()) << bad.dump();
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidField) << bad.dump();
  }
}

TEST(CommandCodec, ErrorsCrossNodesByTheirCodeName) {
  for (ErrorCode code :
       {ErrorCode::kInvalidJson, ErrorCode::kInvalidField, ErrorCode::kUnauthorized,
        ErrorCode::kForbidden, ErrorCode::kNotFound, ErrorCode::kInvalidTransition,
        ErrorCode::kVersionConflict, ErrorCode::kWindowClosed, ErrorCode::kTooLarge,
        ErrorCode::kRateLimited, ErrorCode::kLogUnavailable, ErrorCode::kInternal}) {
    const json wire = EncodeOutcome(Error{code, "why"});
    EXPECT_TRUE(wire["code"].is_string()) << "a bare number between nodes";
    EXPECT_EQ(wire["code"], ErrorCodeName(code));
    auto back = DecodeOutcome(wire);
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.error().code, code);
    EXPECT_EQ(back.error().message, "why");
  }
  // A name this build does not know is an internal error, never a misread code.
  auto unknown = DecodeOutcome(json{{"ok", false}, {"code", "teapot"}, {"message", "x"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInternal);
}

TEST(CommandCodec, OutcomesCrossTheHop) {
  CommandOutcome o = CommandOutcome::For(*ConsistencyToken::Parse("0:12"), "c1", true);
  o.message_id = "m1";
  o.contact_id = "k1";
  o.reopened = true;
  auto back = DecodeOutcome(json::parse(EncodeOutcome(o).dump()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value().token.ToString(), "0:12");
  EXPECT_TRUE(back.value().created);
  EXPECT_EQ(back.value().id, "c1");
  EXPECT_EQ(back.value().message_id, "m1");
  EXPECT_EQ(back.value().contact_id, "k1");
  EXPECT_TRUE(back.value().reopened);
  EXPECT_FALSE(back.value().duplicate);
}

TEST(CommandRouting, EachCommandGoesToTheStreamItIsAbout) {
  const Caller ana{"ana", Role::kAgent, ""};
  EXPECT_EQ(RoutingKey(ana, cmd::Take{"c1"}, kAt), "conversation/c1");
  EXPECT_EQ(RoutingKey(ana, cmd::WakeDue{"c1"}, kAt), "conversation/c1");
  EXPECT_EQ(RoutingKey(ana, cmd::RecordDelivery{"c1", {}}, kAt), "conversation/c1");
  EXPECT_EQ(RoutingKey(ana, cmd::UpdateDeskSettings{"teams", std::nullopt}, kAt), "settings/desk");
  EXPECT_EQ(RoutingKey(ana, cmd::EraseContact{"k1"}, kAt), "contact/k1");
  EXPECT_EQ(RoutingKey(ana, cmd::CreateUser{"u9", "U", "u@x.co", "agent", {}, ""}, kAt), "user/u9");
  EXPECT_EQ(RoutingKey(ana, cmd::SetPresence{"bia", "away"}, kAt), "user/bia");
  EXPECT_EQ(RoutingKey(ana, cmd::RevokeUserToken{"bia", "t1"}, kAt), "user/bia");
  // Notifications belong to the caller.
  EXPECT_EQ(RoutingKey(ana, cmd::MarkNotificationsRead{{}, true}, kAt), "user/ana");
  EXPECT_EQ(RoutingKey(ana, cmd::AddTeamMember{"t1", "bia"}, kAt), "team/t1");
  EXPECT_EQ(RoutingKey(ana, cmd::SetOptIn{"k1", "wa", true, ""}, kAt), "contact/k1");
  cmd::UpdateQuickReply update;
  update.id = "q1";
  EXPECT_EQ(RoutingKey(ana, update, kAt), "quick_reply/q1");
  EXPECT_EQ(RoutingKey(ana, cmd::CreateTemplate{"tpl1", "wa", "n", "b"}, kAt), "template/tpl1");
  // Protocol numbers are issued on their year's stream.
  EXPECT_EQ(RoutingKey(ana, cmd::IssueProtocol{"c1"}, kAt), ProtocolStream(2026));
  // One sender meets at one decider, however they spell their address.
  cmd::ReceiveInbound a;
  a.channel_id = "wa";
  a.external_id = "x1";
  a.from_phone = "+55 (11) 91234-5678";
  cmd::ReceiveInbound b = a;
  b.external_id = "x2";
  b.from_phone = "+5511912345678";
  EXPECT_EQ(RoutingKey(ana, a, kAt), RoutingKey(ana, b, kAt));
  cmd::ReceiveInbound mail;
  mail.channel_id = "email";
  mail.from_email = "Ana@Example.com";
  EXPECT_EQ(RoutingKey(ana, mail, kAt), "sender/ana@example.com");
  // A user creating a contact with that phone meets the same decider as the phone's messages,
  // so two of them cannot both be made.
  cmd::CreateContact made;
  made.id = "k9";
  made.phone = "5511912345678";
  made.email = "x@y.co";
  EXPECT_EQ(RoutingKey(ana, made, kAt), RoutingKey(ana, a, kAt));
  cmd::CreateContact by_mail;
  by_mail.id = "k9";
  by_mail.email = "ANA@example.com";
  EXPECT_EQ(RoutingKey(ana, by_mail, kAt), RoutingKey(ana, mail, kAt));
  cmd::CreateContact bare;
  bare.id = "k9";
  EXPECT_EQ(RoutingKey(ana, bare, kAt), "contact/k9");
}

}  // namespace
}  // namespace helpdesk
