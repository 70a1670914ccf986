#include "commands/cluster/routed_commands.h"

#include "adapters/clock.h"
#include "adapters/random_ids.h"
#include "domain/directory.h"
#include "domain/protocol.h"

namespace helpdesk {
namespace {

using nlohmann::json;

json EncodeCaller(const Caller& c) {
  return json{{"user_id", c.user_id}, {"role", RoleName(c.role)}, {"channel_id", c.channel_id}};
}

json EncodeIfMatch(const Commands::IfMatch& if_match) {
  return if_match ? json(*if_match) : json(nullptr);
}

json EncodeOptional(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

std::optional<std::string> OptionalString(const json& args, const char* name) {
  const json& v = args.at(name);
  if (v.is_null()) return std::nullopt;
  return v.get<std::string>();
}

Commands::IfMatch IfMatchOf(const json& args) {
  const json& v = args.at("if_match");
  if (v.is_null()) return std::nullopt;
  return v.get<uint64_t>();
}

}  // namespace

Result<CommandOutcome> RoutedCommands::Send(const std::string& routing_key, const std::string& op,
                                            const Caller& caller, json args) {
  return transport_.Send(
      routing_key, json{{"op", op}, {"caller", EncodeCaller(caller)}, {"args", std::move(args)}});
}

Result<CommandOutcome> RoutedCommands::OnConversation(const std::string& op, const Caller& caller,
                                                      const std::string& id, IfMatch if_match,
                                                      json args) {
  args["id"] = id;
  args["if_match"] = EncodeIfMatch(if_match);
  return Send(ConversationStream(id), op, caller, std::move(args));
}

Result<CommandOutcome> RoutedCommands::CreateUser(const Caller& caller, const NewUser& a) {
  const std::string id = a.id ? *a.id : NewId();
  const std::string secret = NewSecretToken();
  auto out = Send(UserStream(id), "create_user", caller,
                  json{{"id", id},
                       {"name", a.name},
                       {"email", a.email},
                       {"role", a.role},
                       {"teams", a.teams},
                       {"token_sha256", Sha256Hex(secret)}});
  if (out.ok() && out.value().created) out.value().secret_token = secret;
  return out;
}

Result<CommandOutcome> RoutedCommands::SetPresence(const Caller& caller, const std::string& user_id,
                                                   const std::string& status) {
  return Send(UserStream(user_id), "set_presence", caller,
              json{{"user_id", user_id}, {"status", status}});
}

Result<CommandOutcome> RoutedCommands::CreateTeam(const Caller& caller, const NewTeam& a) {
  const std::string id = a.id ? *a.id : NewId();
  return Send(TeamStream(id), "create_team", caller, json{{"id", id}, {"name", a.name}});
}

Result<CommandOutcome> RoutedCommands::AddTeamMember(const Caller& caller,
                                                     const std::string& team_id,
                                                     const std::string& user_id) {
  return Send(TeamStream(team_id), "add_team_member", caller,
              json{{"team_id", team_id}, {"user_id", user_id}});
}

Result<CommandOutcome> RoutedCommands::CreateChannel(const Caller& caller, const NewChannel& a) {
  const std::string id = a.id ? *a.id : NewId();
  const std::string secret = NewSecretToken();
  auto out = Send(ChannelStream(id), "create_channel", caller,
                  json{{"id", id},
                       {"type", a.type},
                       {"name", a.name},
                       {"address", a.address},
                       {"token_sha256", Sha256Hex(secret)}});
  if (out.ok() && out.value().created) out.value().secret_token = secret;
  return out;
}

Result<CommandOutcome> RoutedCommands::SetContactStage(const Caller& caller,
                                                       const std::string& contact_id,
                                                       const std::string& stage) {
  return Send(ContactStream(contact_id), "set_contact_stage", caller,
              json{{"contact_id", contact_id}, {"stage", stage}});
}

Result<CommandOutcome> RoutedCommands::ReceiveInbound(const Caller& caller, const InboundArgs& a) {
  // Messages of one sender on one channel meet at one decider, which makes the contact and the
  // conversation in its own partitions: later messages find them there without a detour.
  const std::string email = NormalizeEmail(a.from_email);
  const std::string sender = email.empty() ? NormalizePhone(a.from_phone) : email;
  json args{{"channel_id", a.channel_id},
            {"external_id", a.external_id},
            {"text", a.text},
            {"html", a.html},
            {"from_name", a.from_name},
            {"from_phone", a.from_phone},
            {"from_email", a.from_email},
            {"attachments", a.attachments}};
  args["sent_at"] = a.sent_at ? json(FormatRfc3339(*a.sent_at)) : json(nullptr);
  return Send("inbound/" + a.channel_id + "/" + sender, "receive_inbound", caller, std::move(args));
}

Result<CommandOutcome> RoutedCommands::SendMessage(const Caller& caller, const std::string& id,
                                                   const MessageArgs& m, IfMatch if_match) {
  return OnConversation("send_message", caller, id, if_match,
                        json{{"text", m.text},
                             {"private", m.is_private},
                             {"await_reply", m.await_reply},
                             {"quick_reply_id", EncodeOptional(m.quick_reply_id)},
                             {"template_id", EncodeOptional(m.template_id)},
                             {"params", m.params},
                             {"attachments", m.attachments}});
}

Result<CommandOutcome> RoutedCommands::CreateTemplate(const Caller& caller, const NewTemplate& a) {
  const std::string id = a.id ? *a.id : NewId();
  return Send(TemplateStream(id), "create_template", caller,
              json{{"id", id}, {"channel_id", a.channel_id}, {"name", a.name}, {"body", a.body}});
}

Result<CommandOutcome> RoutedCommands::SetOptIn(const Caller& caller, const std::string& contact_id,
                                                const std::string& channel_id, bool opted_in,
                                                const std::string& source) {
  return Send(ContactStream(contact_id), "set_opt_in", caller,
              json{{"contact_id", contact_id},
                   {"channel_id", channel_id},
                   {"opted_in", opted_in},
                   {"source", source}});
}

Result<CommandOutcome> RoutedCommands::StartConversation(const Caller& caller, const StartArgs& a) {
  const std::string id = a.id ? *a.id : NewId();
  return Send(ConversationStream(id), "start_conversation", caller,
              json{{"id", id},
                   {"contact_id", a.contact_id},
                   {"channel_id", a.channel_id},
                   {"template_id", a.template_id},
                   {"params", a.params}});
}

namespace {

json EncodeQuickReply(const QuickReplyArgs& a) {
  return json{{"id", EncodeOptional(a.id)},
              {"shortcut", EncodeOptional(a.shortcut)},
              {"text", EncodeOptional(a.text)},
              {"visibility", EncodeOptional(a.visibility)}};
}

QuickReplyArgs DecodeQuickReply(const json& args) {
  return QuickReplyArgs{OptionalString(args, "id"), OptionalString(args, "shortcut"),
                        OptionalString(args, "text"), OptionalString(args, "visibility")};
}

}  // namespace

Result<CommandOutcome> RoutedCommands::CreateQuickReply(const Caller& caller,
                                                        const QuickReplyArgs& a) {
  QuickReplyArgs with_id = a;
  if (!with_id.id) with_id.id = NewId();
  return Send(QuickReplyStream(*with_id.id), "create_quick_reply", caller,
              EncodeQuickReply(with_id));
}

Result<CommandOutcome> RoutedCommands::UpdateQuickReply(const Caller& caller, const std::string& id,
                                                        const QuickReplyArgs& a) {
  QuickReplyArgs with_id = a;
  with_id.id = id;
  return Send(QuickReplyStream(id), "update_quick_reply", caller, EncodeQuickReply(with_id));
}

Result<CommandOutcome> RoutedCommands::DeleteQuickReply(const Caller& caller,
                                                        const std::string& id) {
  return Send(QuickReplyStream(id), "delete_quick_reply", caller, json{{"id", id}});
}

Result<CommandOutcome> RoutedCommands::DeleteConversation(const Caller& caller,
                                                          const std::string& id,
                                                          const std::string& reason,
                                                          IfMatch if_match) {
  return OnConversation("delete", caller, id, if_match, json{{"reason", reason}});
}

Result<CommandOutcome> RoutedCommands::SetContactBlocked(const Caller& caller,
                                                         const std::string& contact_id,
                                                         bool blocked, const std::string& reason) {
  return Send(ContactStream(contact_id), "set_contact_blocked", caller,
              json{{"contact_id", contact_id}, {"blocked", blocked}, {"reason", reason}});
}

Result<CommandOutcome> RoutedCommands::MarkNotificationsRead(const Caller& caller,
                                                             const std::vector<std::string>& ids,
                                                             bool all) {
  return Send(UserStream(caller.user_id), "mark_notifications_read", caller,
              json{{"ids", ids}, {"all", all}});
}

Result<CommandOutcome> RoutedCommands::IssueProtocol(const Caller& caller, const std::string& id) {
  // Decided by the owner of this year's protocol stream: the one writer of its numbers. (At
  // the turn of the year the owner decides with its own clock.)
  return Send(ProtocolStream(UtcYear(SystemClock().Now())), "issue_protocol", caller,
              json{{"id", id}});
}

Result<CommandOutcome> RoutedCommands::Ignore(const Caller& caller, const std::string& id,
                                              Timestamp until) {
  return OnConversation("ignore", caller, id, std::nullopt, json{{"until", FormatRfc3339(until)}});
}

Result<CommandOutcome> RoutedCommands::MarkRead(const Caller& caller, const std::string& id) {
  return OnConversation("mark_read", caller, id, std::nullopt, json::object());
}

Result<CommandOutcome> RoutedCommands::Invite(const Caller& caller, const std::string& id,
                                              const std::string& user_id, IfMatch if_match) {
  return OnConversation("invite", caller, id, if_match, json{{"user_id", user_id}});
}

Result<CommandOutcome> RoutedCommands::Leave(const Caller& caller, const std::string& id,
                                             const std::string& user_id, IfMatch if_match) {
  return OnConversation("leave", caller, id, if_match, json{{"user_id", user_id}});
}

Result<CommandOutcome> RoutedCommands::Take(const Caller& caller, const std::string& id,
                                            IfMatch if_match) {
  return OnConversation("take", caller, id, if_match, json::object());
}

Result<CommandOutcome> RoutedCommands::Assign(const Caller& caller, const std::string& id,
                                              const std::string& user_id, IfMatch if_match) {
  return OnConversation("assign", caller, id, if_match, json{{"user_id", user_id}});
}

Result<CommandOutcome> RoutedCommands::Transfer(const Caller& caller, const std::string& id,
                                                const std::optional<std::string>& user_id,
                                                const std::optional<std::string>& team_id,
                                                IfMatch if_match) {
  return OnConversation(
      "transfer", caller, id, if_match,
      json{{"user_id", EncodeOptional(user_id)}, {"team_id", EncodeOptional(team_id)}});
}

Result<CommandOutcome> RoutedCommands::Postpone(const Caller& caller, const std::string& id,
                                                Timestamp until, IfMatch if_match) {
  return OnConversation("postpone", caller, id, if_match, json{{"until", FormatRfc3339(until)}});
}

Result<CommandOutcome> RoutedCommands::Tag(const Caller& caller, const std::string& id,
                                           const std::string& tag, IfMatch if_match) {
  return OnConversation("tag", caller, id, if_match, json{{"tag", tag}});
}

Result<CommandOutcome> RoutedCommands::Untag(const Caller& caller, const std::string& id,
                                             const std::string& tag, IfMatch if_match) {
  return OnConversation("untag", caller, id, if_match, json{{"tag", tag}});
}

Result<CommandOutcome> RoutedCommands::Close(const Caller& caller, const std::string& id,
                                             const std::string& reason, IfMatch if_match) {
  return OnConversation("close", caller, id, if_match, json{{"reason", reason}});
}

Result<CommandOutcome> RoutedCommands::Reopen(const Caller& caller, const std::string& id,
                                              IfMatch if_match) {
  return OnConversation("reopen", caller, id, if_match, json::object());
}

Result<CommandOutcome> RoutedCommands::WakeDue(const std::string& id) {
  return Send(ConversationStream(id), "wake_due", Caller::System(), json{{"id", id}});
}

Result<CommandOutcome> RoutedCommands::SetChannelIntegration(const Caller& caller,
                                                             const std::string& channel_id,
                                                             const ChannelIntegration& a) {
  return Send(ChannelStream(channel_id), "set_channel_integration", caller,
              json{{"id", channel_id},
                   {"verify_token", a.verify_token},
                   {"app_secret", a.app_secret},
                   {"outbound_url", a.outbound_url},
                   {"outbound_secret", a.outbound_secret}});
}

Result<CommandOutcome> RoutedCommands::RecordDelivery(const std::string& conversation_id,
                                                      const conversation::DeliveryOutcome& o) {
  return Send(ConversationStream(conversation_id), "record_delivery", Caller::System(),
              json{{"id", conversation_id},
                   {"message_id", o.message_id},
                   {"delivered", o.delivered},
                   {"attempts", o.attempts},
                   {"http_status", o.http_status},
                   {"error", o.error}});
}

Result<CommandOutcome> ExecuteRouted(Commands& target, const json& command) {
  Caller caller;
  std::string op;
  json args;
  try {
    op = command.at("op").get<std::string>();
    const json& c = command.at("caller");
    caller.user_id = c.at("user_id").get<std::string>();
    caller.channel_id = c.at("channel_id").get<std::string>();
    auto role = ParseRole(c.at("role").get<std::string>());
    if (!role) return InvalidField("caller.role", "is not a role");
    caller.role = *role;
    args = command.at("args");
    if (op == "create_user") {
      NewUser u;
      u.id = args.at("id").get<std::string>();
      u.name = args.at("name").get<std::string>();
      u.email = args.at("email").get<std::string>();
      u.role = args.at("role").get<std::string>();
      u.teams = args.at("teams").get<std::vector<std::string>>();
      u.token_sha256 = args.at("token_sha256").get<std::string>();
      return target.CreateUser(caller, u);
    }
    if (op == "set_presence") {
      return target.SetPresence(caller, args.at("user_id").get<std::string>(),
                                args.at("status").get<std::string>());
    }
    if (op == "create_team") {
      return target.CreateTeam(
          caller, NewTeam{args.at("id").get<std::string>(), args.at("name").get<std::string>()});
    }
    if (op == "add_team_member") {
      return target.AddTeamMember(caller, args.at("team_id").get<std::string>(),
                                  args.at("user_id").get<std::string>());
    }
    if (op == "create_channel") {
      NewChannel ch;
      ch.id = args.at("id").get<std::string>();
      ch.type = args.at("type").get<std::string>();
      ch.name = args.at("name").get<std::string>();
      ch.address = args.at("address").get<std::string>();
      ch.token_sha256 = args.at("token_sha256").get<std::string>();
      return target.CreateChannel(caller, ch);
    }
    if (op == "set_contact_stage") {
      return target.SetContactStage(caller, args.at("contact_id").get<std::string>(),
                                    args.at("stage").get<std::string>());
    }
    if (op == "mark_notifications_read") {
      return target.MarkNotificationsRead(caller, args.at("ids").get<std::vector<std::string>>(),
                                          args.at("all").get<bool>());
    }
    if (op == "create_template") {
      return target.CreateTemplate(
          caller,
          NewTemplate{args.at("id").get<std::string>(), args.at("channel_id").get<std::string>(),
                      args.at("name").get<std::string>(), args.at("body").get<std::string>()});
    }
    if (op == "set_opt_in") {
      return target.SetOptIn(caller, args.at("contact_id").get<std::string>(),
                             args.at("channel_id").get<std::string>(),
                             args.at("opted_in").get<bool>(), args.at("source").get<std::string>());
    }
    if (op == "start_conversation") {
      StartArgs s;
      s.id = args.at("id").get<std::string>();
      s.contact_id = args.at("contact_id").get<std::string>();
      s.channel_id = args.at("channel_id").get<std::string>();
      s.template_id = args.at("template_id").get<std::string>();
      s.params = args.at("params").get<std::vector<std::string>>();
      return target.StartConversation(caller, s);
    }
    if (op == "set_contact_blocked") {
      return target.SetContactBlocked(caller, args.at("contact_id").get<std::string>(),
                                      args.at("blocked").get<bool>(),
                                      args.at("reason").get<std::string>());
    }
    if (op == "receive_inbound") {
      InboundArgs a;
      a.channel_id = args.at("channel_id").get<std::string>();
      a.external_id = args.at("external_id").get<std::string>();
      a.text = args.at("text").get<std::string>();
      a.html = args.value("html", "");
      a.from_name = args.at("from_name").get<std::string>();
      a.from_phone = args.at("from_phone").get<std::string>();
      a.from_email = args.at("from_email").get<std::string>();
      a.attachments = args.at("attachments");
      if (auto sent_at = OptionalString(args, "sent_at")) a.sent_at = ParseRfc3339(*sent_at);
      return target.ReceiveInbound(caller, a);
    }
    if (op == "wake_due") return target.WakeDue(args.at("id").get<std::string>());
    if (op == "set_channel_integration") {
      ChannelIntegration a;
      a.verify_token = args.at("verify_token").get<std::string>();
      a.app_secret = args.at("app_secret").get<std::string>();
      a.outbound_url = args.at("outbound_url").get<std::string>();
      a.outbound_secret = args.at("outbound_secret").get<std::string>();
      return target.SetChannelIntegration(caller, args.at("id").get<std::string>(), a);
    }
    if (op == "record_delivery") {
      conversation::DeliveryOutcome o;
      o.message_id = args.at("message_id").get<std::string>();
      o.delivered = args.at("delivered").get<bool>();
      o.attempts = args.at("attempts").get<int>();
      o.http_status = args.at("http_status").get<int>();
      o.error = args.at("error").get<std::string>();
      return target.RecordDelivery(args.at("id").get<std::string>(), o);
    }
    if (op == "issue_protocol")
      return target.IssueProtocol(caller, args.at("id").get<std::string>());
    if (op == "create_quick_reply") return target.CreateQuickReply(caller, DecodeQuickReply(args));
    if (op == "update_quick_reply") {
      return target.UpdateQuickReply(caller, args.at("id").get<std::string>(),
                                     DecodeQuickReply(args));
    }
    if (op == "delete_quick_reply") {
      return target.DeleteQuickReply(caller, args.at("id").get<std::string>());
    }

    const std::string id = args.at("id").get<std::string>();
    const Commands::IfMatch if_match = IfMatchOf(args);
    if (op == "send_message") {
      MessageArgs m;
      m.text = args.at("text").get<std::string>();
      m.is_private = args.at("private").get<bool>();
      m.await_reply = args.at("await_reply").get<bool>();
      m.quick_reply_id = OptionalString(args, "quick_reply_id");
      m.template_id = OptionalString(args, "template_id");
      m.params = args.value("params", std::vector<std::string>());
      m.attachments = args.value("attachments", json::array());
      return target.SendMessage(caller, id, m, if_match);
    }
    if (op == "mark_read") return target.MarkRead(caller, id);
    if (op == "ignore") {
      auto until = ParseRfc3339(args.at("until").get<std::string>());
      if (!until) return InvalidField("until", "is not an RFC 3339 time");
      return target.Ignore(caller, id, *until);
    }
    if (op == "delete") {
      return target.DeleteConversation(caller, id, args.at("reason").get<std::string>(), if_match);
    }
    if (op == "invite") {
      return target.Invite(caller, id, args.at("user_id").get<std::string>(), if_match);
    }
    if (op == "leave") {
      return target.Leave(caller, id, args.at("user_id").get<std::string>(), if_match);
    }
    if (op == "take") return target.Take(caller, id, if_match);
    if (op == "reopen") return target.Reopen(caller, id, if_match);
    if (op == "assign") {
      return target.Assign(caller, id, args.at("user_id").get<std::string>(), if_match);
    }
    if (op == "transfer") {
      return target.Transfer(caller, id, OptionalString(args, "user_id"),
                             OptionalString(args, "team_id"), if_match);
    }
    if (op == "postpone") {
      auto until = ParseRfc3339(args.at("until").get<std::string>());
      if (!until) return InvalidField("until", "is not an RFC 3339 time");
      return target.Postpone(caller, id, *until, if_match);
    }
    if (op == "tag") return target.Tag(caller, id, args.at("tag").get<std::string>(), if_match);
    if (op == "untag") return target.Untag(caller, id, args.at("tag").get<std::string>(), if_match);
    if (op == "close")
      return target.Close(caller, id, args.at("reason").get<std::string>(), if_match);
  } catch (const json::exception& e) {
    return InvalidField("command", std::string("cannot be read: ") + e.what());
  }
  return InvalidField("op", "is not a command: " + op);
}

json EncodeOutcome(const Result<CommandOutcome>& outcome) {
  if (!outcome.ok()) {
    return json{{"ok", false},
                {"code", static_cast<int>(outcome.error().code)},
                {"message", outcome.error().message}};
  }
  const CommandOutcome& o = outcome.value();
  return json{{"ok", true},
              {"token", o.token.ToString()},
              {"created", o.created},
              {"id", o.id},
              {"message_id", o.message_id},
              {"contact_id", o.contact_id},
              {"reopened", o.reopened},
              {"duplicate", o.duplicate}};
}

Result<CommandOutcome> DecodeOutcome(const json& j) {
  try {
    if (!j.at("ok").get<bool>()) {
      const int code = j.at("code").get<int>();
      if (code < 0 || code > static_cast<int>(ErrorCode::kMoved)) {
        return Error{ErrorCode::kInternal, "an answer with an unknown error code"};
      }
      return Error{static_cast<ErrorCode>(code), j.at("message").get<std::string>()};
    }
    CommandOutcome o;
    auto token = ConsistencyToken::Parse(j.at("token").get<std::string>());
    if (!token) return Error{ErrorCode::kInternal, "an answer with a malformed position"};
    o.token = *token;
    o.created = j.at("created").get<bool>();
    o.id = j.at("id").get<std::string>();
    o.message_id = j.at("message_id").get<std::string>();
    o.contact_id = j.at("contact_id").get<std::string>();
    o.reopened = j.at("reopened").get<bool>();
    o.duplicate = j.at("duplicate").get<bool>();
    return o;
  } catch (const json::exception& e) {
    return Error{ErrorCode::kInternal, std::string("an answer that cannot be read: ") + e.what()};
  }
}

}  // namespace helpdesk
