// The event: the one record of everything that happens. Events are a closed set of stable type
// names (see docs/events.md); a name is never reused for a new meaning. `data` is the payload as
// a JSON object: the envelope is what travels through the log and what analysts read.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "domain/time.h"

namespace helpdesk {

constexpr int kSchemaVersion = 1;

// Who caused an event.
struct Actor {
  enum class Type { kUser, kContact, kSystem };
  Type type = Type::kSystem;
  std::string id;  // user id, contact id, or the system component ("scheduler", "admin" for the
                   // bootstrap token, "channel/<id>")

  static Actor User(std::string id) { return Actor{Type::kUser, std::move(id)}; }
  static Actor Contact(std::string id) { return Actor{Type::kContact, std::move(id)}; }
  static Actor System(std::string id) { return Actor{Type::kSystem, std::move(id)}; }
};
const char* ActorTypeName(Actor::Type t);

// What decide() returns: a type and its payload. The command layer adds the envelope.
struct DomainEvent {
  std::string type;
  nlohmann::json data;
};

// An event ready to append: envelope without log coordinates.
struct NewEvent {
  std::string id;      // unique event id
  std::string stream;  // e.g. "conversation/c1"
  std::string type;
  Timestamp at;
  Actor actor;
  nlohmann::json data;
  // The audit chain of its stream (adapters/event_chain.h): the previous event's hash ("" for
  // the first) and this event's own. Set by the command layer when it appends.
  std::string prev_hash = {};
  std::string hash = {};
  // The data as AppendJson writes it, set by the command layer as it appends the event: the
  // hash and the log's envelope both take these bytes, and `data` is left null (the tree is
  // freed where it was made, at a fraction of what freeing it after the log costs). Empty:
  // `data` is the data. A log that keeps events as trees parses it back (TakeDataText).
  std::string data_text = {};
};

// An event as stored in the log.
struct RecordedEvent {
  uint64_t position = 0;        // global position in the log (embedded: 1, 2, 3…)
  int partition = 0;            // log partition (embedded: always 0)
  uint64_t stream_version = 0;  // 1-based version of the event inside its stream
  int schema_version = kSchemaVersion;
  NewEvent event;
};

// Stream names: "<aggregate>/<id>".
inline std::string ConversationStream(const std::string& id) { return "conversation/" + id; }
inline std::string ContactStream(const std::string& id) { return "contact/" + id; }
inline std::string UserStream(const std::string& id) { return "user/" + id; }
inline std::string TeamStream(const std::string& id) { return "team/" + id; }
inline std::string ChannelStream(const std::string& id) { return "channel/" + id; }
inline std::string QuickReplyStream(const std::string& id) { return "quick_reply/" + id; }
inline std::string TemplateStream(const std::string& id) { return "template/" + id; }
inline std::string ImportStream(const std::string& id) { return "import/" + id; }
inline std::string FunnelStream(const std::string& id) { return "funnel/" + id; }
inline std::string DealStream(const std::string& id) { return "deal/" + id; }
inline std::string TaskTypeStream(const std::string& id) { return "task_type/" + id; }
inline std::string TaskStream(const std::string& id) { return "task/" + id; }
inline std::string TaskScheduleStream(const std::string& id) { return "task_schedule/" + id; }
// The one stream of the desk's settings.
inline const std::string kDeskSettingsStream = "settings/desk";

// Event type names. Conversation stream:
namespace ev {
inline constexpr const char* kConversationOpened = "ConversationOpened";
inline constexpr const char* kMessageReceived = "MessageReceived";
inline constexpr const char* kMessageSent = "MessageSent";
inline constexpr const char* kNoteAdded = "NoteAdded";
inline constexpr const char* kConversationDetailsChanged = "ConversationDetailsChanged";
inline constexpr const char* kConversationAssigned = "ConversationAssigned";
inline constexpr const char* kConversationTransferred = "ConversationTransferred";
inline constexpr const char* kConversationPostponed = "ConversationPostponed";
inline constexpr const char* kConversationWoke = "ConversationWoke";
inline constexpr const char* kConversationTagged = "ConversationTagged";
inline constexpr const char* kConversationUntagged = "ConversationUntagged";
inline constexpr const char* kAwaitingCustomer = "AwaitingCustomer";
inline constexpr const char* kConversationClosed = "ConversationClosed";
inline constexpr const char* kConversationReopened = "ConversationReopened";
inline constexpr const char* kConversationRead = "ConversationRead";
inline constexpr const char* kParticipantAdded = "ParticipantAdded";
inline constexpr const char* kParticipantRemoved = "ParticipantRemoved";
inline constexpr const char* kConversationDeleted = "ConversationDeleted";
inline constexpr const char* kConversationIgnored = "ConversationIgnored";
// Delivery of an agent's message to the channel's outbound URL (domain/delivery.h):
inline constexpr const char* kMessageDelivered = "MessageDelivered";
inline constexpr const char* kMessageFailed = "MessageFailed";
// Directory streams:
inline constexpr const char* kUserCreated = "UserCreated";
inline constexpr const char* kUserPresenceChanged = "UserPresenceChanged";
inline constexpr const char* kUserUpdated = "UserUpdated";
inline constexpr const char* kUserTokenIssued = "UserTokenIssued";
inline constexpr const char* kUserTokenRevoked = "UserTokenRevoked";
inline constexpr const char* kNotificationsRead = "NotificationsRead";
inline constexpr const char* kTeamCreated = "TeamCreated";
inline constexpr const char* kTeamMemberAdded = "TeamMemberAdded";
inline constexpr const char* kTeamMemberRemoved = "TeamMemberRemoved";
inline constexpr const char* kChannelCreated = "ChannelCreated";
inline constexpr const char* kChannelIntegrationSet = "ChannelIntegrationSet";
inline constexpr const char* kContactCreated = "ContactCreated";
inline constexpr const char* kContactStageChanged = "ContactStageChanged";
inline constexpr const char* kContactBlocked = "ContactBlocked";
inline constexpr const char* kContactUnblocked = "ContactUnblocked";
inline constexpr const char* kBlockedMessageReceived = "BlockedMessageReceived";
inline constexpr const char* kContactOptedIn = "ContactOptedIn";
inline constexpr const char* kContactOptedOut = "ContactOptedOut";
inline constexpr const char* kContactErased = "ContactErased";
inline constexpr const char* kContactUpdated = "ContactUpdated";
inline constexpr const char* kContactOwnerChanged = "ContactOwnerChanged";
inline constexpr const char* kContactNoteAdded = "ContactNoteAdded";
inline constexpr const char* kContactAttributeDefined = "ContactAttributeDefined";
inline constexpr const char* kContactsMerged = "ContactsMerged";
inline constexpr const char* kOrderRecorded = "OrderRecorded";
// Funnels and deals (domain/funnel.h), on `funnel/<id>` and `deal/<id>`:
inline constexpr const char* kFunnelDefined = "FunnelDefined";
inline constexpr const char* kDealCreated = "DealCreated";
inline constexpr const char* kDealUpdated = "DealUpdated";
inline constexpr const char* kDealMoved = "DealMoved";
inline constexpr const char* kDealReopened = "DealReopened";
// Tasks (domain/task.h), on `task_type/<id>`, `task/<id>` and `task_schedule/<id>`:
inline constexpr const char* kTaskTypeDefined = "TaskTypeDefined";
inline constexpr const char* kTaskCreated = "TaskCreated";
inline constexpr const char* kTaskUpdated = "TaskUpdated";
inline constexpr const char* kTaskTaken = "TaskTaken";
inline constexpr const char* kTaskTransferred = "TaskTransferred";
inline constexpr const char* kTaskStarted = "TaskStarted";
inline constexpr const char* kTaskFinished = "TaskFinished";
inline constexpr const char* kTaskArchived = "TaskArchived";
inline constexpr const char* kTaskReopened = "TaskReopened";
inline constexpr const char* kTaskReminded = "TaskReminded";
inline constexpr const char* kTaskScheduleDefined = "TaskScheduleDefined";
inline constexpr const char* kTaskScheduleStopped = "TaskScheduleStopped";
inline constexpr const char* kTaskScheduleOccurred = "TaskScheduleOccurred";
// Contacts imports (POST /api/v1/contacts/import), on `import/<id>`:
inline constexpr const char* kContactImportStarted = "ContactImportStarted";
inline constexpr const char* kContactImportProgressed = "ContactImportProgressed";
inline constexpr const char* kContactImportFinished = "ContactImportFinished";
// Ticket protocols (domain/protocol.h):
inline constexpr const char* kProtocolIssued = "ProtocolIssued";
// Message templates (domain/message_template.h):
inline constexpr const char* kTemplateCreated = "TemplateCreated";
// Quick replies (domain/quick_reply.h):
inline constexpr const char* kQuickReplyCreated = "QuickReplyCreated";
inline constexpr const char* kQuickReplyUpdated = "QuickReplyUpdated";
inline constexpr const char* kQuickReplyDeleted = "QuickReplyDeleted";
// The desk's settings (domain/directory.h):
inline constexpr const char* kDeskSettingsUpdated = "DeskSettingsUpdated";
}  // namespace ev

}  // namespace helpdesk
