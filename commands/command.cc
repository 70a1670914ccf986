#include "commands/command.h"

#include "commands/commands.h"
#include "domain/directory.h"
#include "domain/event.h"
#include "domain/protocol.h"

namespace helpdesk {
namespace {

// The id a creating command names; empty until one is chosen.
std::string IdOf(const std::optional<std::string>& id) { return id.value_or(""); }

// Routing keys, one overload per command; the variant's visit makes the list complete.
std::string KeyOf(const Caller&, const cmd::CreateUser& c, Timestamp) {
  return UserStream(IdOf(c.id));
}
std::string KeyOf(const Caller&, const cmd::SetPresence& c, Timestamp) {
  return UserStream(c.user_id);
}
std::string KeyOf(const Caller&, const cmd::UpdateUser& c, Timestamp) {
  return UserStream(c.user_id);
}
std::string KeyOf(const Caller&, const cmd::IssueUserToken& c, Timestamp) {
  return UserStream(c.user_id);
}
std::string KeyOf(const Caller&, const cmd::RevokeUserToken& c, Timestamp) {
  return UserStream(c.user_id);
}
std::string KeyOf(const Caller&, const cmd::EraseContact& c, Timestamp) {
  return ContactStream(c.contact_id);
}
std::string KeyOf(const Caller&, const cmd::UpdateDeskSettings&, Timestamp) {
  return kDeskSettingsStream;
}
std::string KeyOf(const Caller&, const cmd::CreateTeam& c, Timestamp) {
  return TeamStream(IdOf(c.id));
}
std::string KeyOf(const Caller&, const cmd::AddTeamMember& c, Timestamp) {
  return TeamStream(c.team_id);
}
std::string KeyOf(const Caller&, const cmd::RemoveTeamMember& c, Timestamp) {
  return TeamStream(c.team_id);
}
std::string KeyOf(const Caller&, const cmd::CreateChannel& c, Timestamp) {
  return ChannelStream(IdOf(c.id));
}
std::string KeyOf(const Caller&, const cmd::SetChannelIntegration& c, Timestamp) {
  return ChannelStream(c.channel_id);
}
std::string KeyOf(const Caller&, const cmd::SetContactStage& c, Timestamp) {
  return ContactStream(c.contact_id);
}
std::string KeyOf(const Caller&, const cmd::DefineFunnel& c, Timestamp) {
  return FunnelStream(IdOf(c.id));
}
std::string KeyOf(const Caller&, const cmd::CreateDeal& c, Timestamp) {
  return DealStream(IdOf(c.id));
}
std::string KeyOf(const Caller&, const cmd::DefineTaskType& c, Timestamp) {
  return TaskTypeStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::CreateTask& c, Timestamp) {
  return TaskStream(IdOf(c.id));
}
std::string KeyOf(const Caller&, const cmd::UpdateTask& c, Timestamp) {
  return TaskStream(c.task_id);
}
std::string KeyOf(const Caller&, const cmd::ActOnTask& c, Timestamp) {
  return TaskStream(c.task_id);
}
std::string KeyOf(const Caller&, const cmd::TransferTask& c, Timestamp) {
  return TaskStream(c.task_id);
}
std::string KeyOf(const Caller&, const cmd::RemindTask& c, Timestamp) {
  return TaskStream(c.task_id);
}
std::string KeyOf(const Caller&, const cmd::DefineTaskSchedule& c, Timestamp) {
  return TaskScheduleStream(IdOf(c.id));
}
std::string KeyOf(const Caller&, const cmd::StopTaskSchedule& c, Timestamp) {
  return TaskScheduleStream(c.schedule_id);
}
std::string KeyOf(const Caller&, const cmd::RunTaskSchedule& c, Timestamp) {
  return TaskScheduleStream(c.schedule_id);
}
std::string KeyOf(const Caller&, const cmd::UpdateDeal& c, Timestamp) {
  return DealStream(c.deal_id);
}
std::string KeyOf(const Caller&, const cmd::MoveDeal& c, Timestamp) {
  return DealStream(c.deal_id);
}
std::string KeyOf(const Caller&, const cmd::ReopenDeal& c, Timestamp) {
  return DealStream(c.deal_id);
}
std::string KeyOf(const Caller&, const cmd::SetContactBlocked& c, Timestamp) {
  return ContactStream(c.contact_id);
}
std::string KeyOf(const Caller&, const cmd::SetOptIn& c, Timestamp) {
  return ContactStream(c.contact_id);
}
std::string KeyOf(const Caller& caller, const cmd::MarkNotificationsRead&, Timestamp) {
  return UserStream(caller.user_id);
}
// Where contacts with this phone or e-mail are made: the one decider that can tell a second
// one apart (the write model's lookups are only consistent at one place). A user's create and a
// first message of the same person meet there.
std::string SenderKey(const std::string& phone, const std::string& email) {
  const std::string normalized_email = NormalizeEmail(email);
  return "sender/" + (normalized_email.empty() ? NormalizePhone(phone) : normalized_email);
}
std::string KeyOf(const Caller&, const cmd::ReceiveInbound& c, Timestamp) {
  // Messages of one sender meet at one decider, which makes the contact and the conversation in
  // their own partitions: later messages find them there without a detour.
  return SenderKey(c.from_phone, c.from_email);
}
std::string KeyOf(const Caller&, const cmd::CreateContact& c, Timestamp) {
  if (NormalizePhone(c.phone).empty() && NormalizeEmail(c.email).empty()) {
    return ContactStream(IdOf(c.id));
  }
  // An e-mail channel finds people by e-mail, the others by phone: with both, the phone's
  // decider is the one inbound messages on a phone channel meet.
  return SenderKey(c.phone, NormalizePhone(c.phone).empty() ? c.email : "");
}
std::string KeyOf(const Caller&, const cmd::UpdateContact& c, Timestamp) {
  return ContactStream(c.contact_id);
}
std::string KeyOf(const Caller&, const cmd::SetContactOwner& c, Timestamp) {
  return ContactStream(c.contact_id);
}
std::string KeyOf(const Caller&, const cmd::AddContactNote& c, Timestamp) {
  return ContactStream(c.contact_id);
}
std::string KeyOf(const Caller&, const cmd::RecordOrder& c, Timestamp) {
  return ContactStream(c.contact_id);
}
std::string KeyOf(const Caller&, const cmd::ImportContactRow& c, Timestamp) {
  // Decided where a create of the same phone or e-mail would be (CreateContact).
  if (NormalizePhone(c.phone).empty() && NormalizeEmail(c.email).empty()) {
    return ContactStream(c.id);
  }
  return SenderKey(c.phone, NormalizePhone(c.phone).empty() ? c.email : "");
}
std::string KeyOf(const Caller&, const cmd::RecordContactImport& c, Timestamp) {
  return ImportStream(c.import_id);
}
std::string KeyOf(const Caller&, const cmd::MergeContacts& c, Timestamp) {
  return ContactStream(c.contact_id);
}
std::string KeyOf(const Caller&, const cmd::DefineContactAttribute&, Timestamp) {
  return kDeskSettingsStream;
}
std::string KeyOf(const Caller&, const cmd::IssueProtocol&, Timestamp now) {
  // Decided by the owner of this year's protocol stream: the one writer of its numbers. (At
  // the turn of the year the owner decides with its own clock.)
  return ProtocolStream(UtcYear(now));
}
std::string KeyOf(const Caller&, const cmd::StartConversation& c, Timestamp) {
  return ConversationStream(IdOf(c.id));
}
std::string KeyOf(const Caller&, const cmd::CreateQuickReply& c, Timestamp) {
  return QuickReplyStream(IdOf(c.id));
}
std::string KeyOf(const Caller&, const cmd::UpdateQuickReply& c, Timestamp) {
  return QuickReplyStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::DeleteQuickReply& c, Timestamp) {
  return QuickReplyStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::CreateTemplate& c, Timestamp) {
  return TemplateStream(IdOf(c.id));
}
std::string KeyOf(const Caller&, const cmd::RecordDelivery& c, Timestamp) {
  return ConversationStream(c.conversation_id);
}
// The commands about one conversation, named by their `id`. Listed, not a catch-all: a new
// command gets its key written down, or does not compile.
std::string KeyOf(const Caller&, const cmd::SendMessage& c, Timestamp) {
  return ConversationStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::Take& c, Timestamp) { return ConversationStream(c.id); }
std::string KeyOf(const Caller&, const cmd::Assign& c, Timestamp) {
  return ConversationStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::Transfer& c, Timestamp) {
  return ConversationStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::Postpone& c, Timestamp) {
  return ConversationStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::Tag& c, Timestamp) { return ConversationStream(c.id); }
std::string KeyOf(const Caller&, const cmd::Untag& c, Timestamp) {
  return ConversationStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::UpdateConversation& c, Timestamp) {
  return ConversationStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::Close& c, Timestamp) {
  return ConversationStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::Reopen& c, Timestamp) {
  return ConversationStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::MarkRead& c, Timestamp) {
  return ConversationStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::Invite& c, Timestamp) {
  return ConversationStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::Leave& c, Timestamp) {
  return ConversationStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::Ignore& c, Timestamp) {
  return ConversationStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::DeleteConversation& c, Timestamp) {
  return ConversationStream(c.id);
}
std::string KeyOf(const Caller&, const cmd::WakeDue& c, Timestamp) {
  return ConversationStream(c.id);
}

}  // namespace

const char* CommandName(const Command& command) {
  return std::visit([](const auto& c) { return std::decay_t<decltype(c)>::kName; }, command);
}

std::string RoutingKey(const Caller& caller, const Command& command, Timestamp now) {
  return std::visit([&](const auto& c) { return KeyOf(caller, c, now); }, command);
}

}  // namespace helpdesk
