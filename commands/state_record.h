// StateRecord: what the write model keeps of one stream — its aggregate's state, its version and
// the hash of its last event (the next event chains to it) — and its encoding in the store.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "domain/conversation.h"
#include "domain/directory.h"
#include "domain/funnel.h"
#include "domain/message_template.h"
#include "domain/quick_reply.h"
#include "domain/task.h"

namespace helpdesk {

// The format of encoded records (and of the write model's index keys). Bump it when either
// changes in a way an older store cannot be read with: such a store is rebuilt from the log.
constexpr int kWriteModelVersion = 7;  // 7: tasks

struct StateRecord {
  // monostate: a stream with no aggregate state of its own (a year's protocol counter).
  using State = std::variant<std::monostate, ConversationState, UserState, TeamState, ChannelState,
                             ContactState, QuickReplyState, TemplateState, DeskSettingsState,
                             FunnelState, DealState, TaskTypeState, TaskState, TaskScheduleState>;
  State state;
  uint64_t version = 0;   // stream version of the last event applied
  std::string last_hash;  // of that event; "" before the first
};

// The empty record of a stream of kind `kind` ("conversation", "user", …; the part of the
// stream name before the slash).
StateRecord EmptyRecordOf(std::string_view kind);

// The record as the store keeps it: RecordJson(record), dumped (a contact's record written
// directly, the same bytes, without building the object).
std::string EncodeRecord(const StateRecord& record);
// The record as a JSON object: {"h": last hash, "s": state, "v": version}.
nlohmann::json RecordJson(const StateRecord& record);
// nullopt when `text` is not a record of `kind` this build can read.
std::optional<StateRecord> DecodeRecord(std::string_view kind, std::string_view text);

}  // namespace helpdesk
