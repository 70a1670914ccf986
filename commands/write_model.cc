#include "commands/write_model.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "domain/events.h"
#include "domain/json_text.h"
#include "domain/personal_data.h"

namespace helpdesk {
namespace {

// Key spaces of the store: records by stream, lookups by their own keys.
constexpr const char* kRecordPrefix = "s/";
constexpr const char* kLookupPrefix = "x/";
// Lookup keys.
std::string PhoneKey(const std::string& normalized) { return "ph/" + normalized; }
std::string EmailKey(const std::string& normalized) { return "em/" + normalized; }
std::string InboundKey(const std::string& channel_id, const std::string& external_id) {
  return "in/" + channel_id + "\n" + external_id;
}
// A contact's conversations on a channel: a JSON array of ids, in the order they opened.
std::string ContactChannelKey(const std::string& contact_id, const std::string& channel_id) {
  return "cc/" + contact_id + "\n" + channel_id;
}

// Memory a cached slot costs besides its encoding: the map node, the key twice, the state's
// fixed part.
constexpr size_t kSlotOverhead = 512;

// "conversation/c1" -> ("conversation", "c1")
std::pair<std::string, std::string> SplitStream(const std::string& stream) {
  const auto slash = stream.find('/');
  if (slash == std::string::npos) return {stream, ""};
  return {stream.substr(0, slash), stream.substr(slash + 1)};
}

// The directory's kinds: few records, read by every request, kept in memory whole.
bool IsDirectoryKind(const std::string& kind) {
  return kind == "user" || kind == "team" || kind == "channel" || kind == "quick_reply" ||
         kind == "template" || kind == "settings" || kind == "funnel" || kind == "task_type";
}
constexpr const char* kDirectoryKinds[] = {"user",     "team",     "channel", "quick_reply",
                                           "template", "settings", "funnel",  "task_type"};

template <class S>
const S* Live(const S* s) {
  return s && s->exists ? s : nullptr;
}

}  // namespace

WriteModel::WriteModel(StateStore* store, size_t cache_bytes)
    : store_(store), cache_bytes_(cache_bytes) {}

Status WriteModel::Reset() {
  slots_.clear();
  lru_.clear();
  cached_bytes_ = 0;
  dirty_.clear();
  lookups_.clear();
  flushing_lookups_.reset();
  absent_records_.clear();
  absent_lookups_.clear();
  user_ids_.clear();
  quick_reply_ids_.clear();
  channel_ids_.clear();
  funnel_ids_.clear();
  user_by_token_.clear();
  channel_by_token_.clear();
  read_failed_ = false;
  ++epoch_;
  applied_ = 0;
  if (!store_) return Status::Ok();
  for (const char* kind : kDirectoryKinds) {
    const std::string prefix = std::string(kRecordPrefix) + kind + "/";
    bool unreadable = false;
    Status scanned = store_->Scan(prefix, [&](std::string_view key, std::string_view value) {
      const std::string stream(key.substr(2));
      auto record = DecodeRecord(kind, value);
      if (!record) {
        unreadable = true;
        return;
      }
      IndexDirectory(stream, *record);
      Insert(stream, std::move(*record), value.size());
    });
    if (!scanned.ok()) return scanned;
    if (unreadable) return Error{ErrorCode::kInternal, "the write model's store has a bad record"};
  }
  return Status::Ok();
}

void WriteModel::IndexDirectory(const std::string& stream, const StateRecord& record) {
  const auto [kind, id] = SplitStream(stream);
  if (kind == "user") {
    user_ids_.insert(id);
    const auto& u = std::get<UserState>(record.state);
    for (const auto& [token_id, token] : u.tokens) user_by_token_[token.token_sha256] = id;
  } else if (kind == "quick_reply") {
    quick_reply_ids_.insert(id);
  } else if (kind == "funnel") {
    funnel_ids_.insert(id);
  } else if (kind == "channel") {
    channel_ids_.insert(id);
    const auto& ch = std::get<ChannelState>(record.state);
    if (!ch.token_sha256.empty()) channel_by_token_[ch.token_sha256] = id;
  }
}

void WriteModel::ReadFailed(const Error& error) const {
  if (!read_failed_) spdlog::error("write model: {}", error.message);
  read_failed_ = true;
}

bool WriteModel::TakeReadFailure() {
  const bool failed = read_failed_;
  read_failed_ = false;
  return failed;
}

WriteModel::Slot& WriteModel::Insert(const std::string& stream, StateRecord record,
                                     size_t encoded_size) const {
  absent_records_.erase(stream);
  Slot& slot = slots_[stream];
  slot.record = std::make_shared<StateRecord>(std::move(record));
  slot.pinned = !store_ || IsDirectoryKind(SplitStream(stream).first);
  if (!slot.pinned) {
    slot.bytes = encoded_size + 2 * stream.size() + kSlotOverhead;
    lru_.push_front(stream);
    slot.lru = lru_.begin();
    cached_bytes_ += slot.bytes;
  }
  return slot;
}

WriteModel::Slot* WriteModel::Find(const std::string& stream) const {
  auto it = slots_.find(stream);
  if (it != slots_.end()) {
    Slot& slot = it->second;
    if (!slot.pinned && !slot.dirty) lru_.splice(lru_.begin(), lru_, slot.lru);
    if (!slot.pinned) ++cache_hits_;
    return &slot;
  }
  // The directory is in memory whole; other streams may be in the store.
  if (!store_ || IsDirectoryKind(SplitStream(stream).first)) return nullptr;
  if (absent_records_.count(stream)) return nullptr;
  ++store_reads_;
  auto stored = store_->Get(kRecordPrefix + stream);
  if (!stored.ok()) {
    ReadFailed(stored.error());
    return nullptr;
  }
  if (!stored.value()) {
    if (absent_records_.size() >= kAbsentKeys) absent_records_.clear();
    absent_records_.insert(stream);
    return nullptr;
  }
  auto record = DecodeRecord(SplitStream(stream).first, *stored.value());
  if (!record) {
    ReadFailed(Error{ErrorCode::kInternal, "unreadable record of " + stream});
    return nullptr;
  }
  return &Insert(stream, std::move(*record), stored.value()->size());
}

WriteModel::Slot& WriteModel::Touch(const std::string& stream) {
  Slot* found = Find(stream);
  if (!found) {
    found = &Insert(stream, EmptyRecordOf(SplitStream(stream).first), 0);
    const auto [kind, id] = SplitStream(stream);
    if (kind == "user") user_ids_.insert(id);
    if (kind == "quick_reply") quick_reply_ids_.insert(id);
    if (kind == "channel") channel_ids_.insert(id);
    if (kind == "funnel") funnel_ids_.insert(id);
  }
  Slot& slot = *found;
  // A snapshot being written shares the record: it keeps the old one, this change a copy.
  if (slot.record.use_count() > 1) slot.record = std::make_shared<StateRecord>(*slot.record);
  slot.change = ++changes_;
  if (!store_ || slot.dirty) return slot;
  if (!slot.pinned) {
    lru_.erase(slot.lru);
    cached_bytes_ -= slot.bytes;
  }
  slot.dirty = true;
  dirty_.push_back(stream);
  return slot;
}

template <class S>
const S* WriteModel::StateOf(const std::string& stream) const {
  const Slot* slot = Find(stream);
  return slot ? std::get_if<S>(&slot->record->state) : nullptr;
}

template <class S>
S& WriteModel::MutableStateOf(const std::string& stream) {
  return std::get<S>(Touch(stream).record->state);
}

std::optional<std::string> WriteModel::GetLookup(const std::string& key) const {
  for (const Lookups* layer : {&lookups_, flushing_lookups_.get()}) {
    if (!layer) continue;
    if (auto it = layer->find(key); it != layer->end()) {
      if (it->second.empty()) return std::nullopt;  // dropped, not flushed yet
      return it->second;
    }
  }
  if (!store_ || absent_lookups_.count(key)) return std::nullopt;
  auto stored = store_->Get(kLookupPrefix + key);
  if (!stored.ok()) {
    ReadFailed(stored.error());
    return std::nullopt;
  }
  if (!stored.value()) {
    if (absent_lookups_.size() >= kAbsentKeys) absent_lookups_.clear();
    absent_lookups_.insert(key);
  }
  return stored.value();
}

void WriteModel::PutLookup(const std::string& key, std::string value) {
  absent_lookups_.erase(key);
  lookups_[key] = std::move(value);
}

bool WriteModel::Apply(const RecordedEvent& r) {
  const NewEvent& e = r.event;
  if (const Slot* existing = Find(e.stream);
      existing && r.stream_version <= existing->record->version)
    return false;
  ++applied_;
  Slot& slot = Touch(e.stream);
  slot.record->version = r.stream_version;
  slot.record->last_hash = e.hash;
  const std::optional<events::Event> event = events::Decode(e);
  // A revoked token leaves the state below: its digest leaves the index too.
  std::string revoked_digest;
  if (const auto* revoked = events::As<events::UserTokenRevoked>(event)) {
    if (const auto* user = std::get_if<UserState>(&slot.record->state)) {
      auto it = user->tokens.find(revoked->token_id);
      if (it != user->tokens.end()) revoked_digest = it->second.token_sha256;
    }
  }
  // An erased contact's phone and e-mail leave the lookups: the state below forgets them.
  std::vector<std::string> erased_lookups;
  if (const auto* erasure = events::As<events::ContactErased>(event)) {
    if (const auto* contact = std::get_if<ContactState>(&slot.record->state)) {
      const std::string stream_id = e.stream.substr(e.stream.find('/') + 1);
      // Its own phone and e-mail, and those of the duplicates merged into it (which lead here).
      std::vector<const ContactState*> people{contact};
      for (const std::string& merged : erasure->merged_ids) {
        if (const auto* duplicate = StateOf<ContactState>(ContactStream(merged))) {
          people.push_back(duplicate);
        }
      }
      for (const ContactState* person : people) {
        for (const std::string& key :
             {person->phone.empty() ? std::string() : PhoneKey(NormalizePhone(person->phone)),
              person->email.empty() ? std::string() : EmailKey(NormalizeEmail(person->email))}) {
          if (key.empty()) continue;
          const auto holder = GetLookup(key);
          const bool ours =
              holder == stream_id ||
              (holder && std::find(erasure->merged_ids.begin(), erasure->merged_ids.end(),
                                   *holder) != erasure->merged_ids.end());
          if (ours) erased_lookups.push_back(key);
        }
      }
    }
  }
  // An edited contact's old phone and e-mail, to move their lookups.
  std::string old_phone, old_email;
  const auto* contact_update = events::As<events::ContactUpdated>(event);
  if (contact_update) {
    if (const auto* contact = std::get_if<ContactState>(&slot.record->state)) {
      old_phone = NormalizePhone(contact->phone);
      old_email = NormalizeEmail(contact->email);
    }
  }
  // The funnel stages the event moves a contact or a deal out of and into (stage use).
  CountStageUse(event, slot);
  std::visit(
      [&](auto& state) {
        using S = std::decay_t<decltype(state)>;
        if constexpr (!std::is_same_v<S, std::monostate>) {
          Evolve(state, e, event, r.stream_version);  // decoded once, above
        }
      },
      slot.record->state);
  const std::string id = e.stream.substr(e.stream.find('/') + 1);
  // Lookups and what an event tells other streams. `slot` stays valid: nothing is evicted here.
  // Each type is only ever written on its own kind of stream; a state of another kind means a
  // malformed log, and the event tells nothing more.
  auto* conversation = std::get_if<ConversationState>(&slot.record->state);
  if (conversation && events::As<events::ConversationOpened>(event)) {
    const std::string key = ContactChannelKey(conversation->contact_id, conversation->channel_id);
    auto ids = nlohmann::json::parse(GetLookup(key).value_or("[]"), nullptr, false);
    if (!ids.is_array()) ids = nlohmann::json::array();
    ids.push_back(id);
    PutLookup(key, DumpJson(ids));
  } else if (const auto* received = events::As<events::MessageReceived>(event);
             received && conversation) {
    if (!received->external_id.empty()) {
      PutLookup(InboundKey(conversation->channel_id, received->external_id),
                nlohmann::json::array({id, received->message_id, conversation->contact_id}).dump());
    }
  } else if (const auto* user = events::As<events::UserCreated>(event)) {
    if (!user->token_sha256.empty()) user_by_token_[user->token_sha256] = id;
    for (const auto& team : user->teams) {
      MutableStateOf<TeamState>(TeamStream(team)).members.insert(id);
    }
  } else if (const auto* issued = events::As<events::UserTokenIssued>(event)) {
    if (!issued->token_sha256.empty()) user_by_token_[issued->token_sha256] = id;
  } else if (!revoked_digest.empty()) {
    user_by_token_.erase(revoked_digest);
  } else if (const auto* member = events::As<events::TeamMemberAdded>(event)) {
    // On a partitioned log the user's stream may come later: keep the membership for it.
    MutableStateOf<UserState>(UserStream(member->user_id)).teams.insert(id);
  } else if (const auto* left = events::As<events::TeamMemberRemoved>(event)) {
    MutableStateOf<UserState>(UserStream(left->user_id)).teams.erase(id);
  } else if (const auto* channel = events::As<events::ChannelCreated>(event)) {
    if (!channel->token_sha256.empty()) channel_by_token_[channel->token_sha256] = id;
  } else if (const auto* protocol = events::As<events::ProtocolIssued>(event)) {
    // The conversation's own stream may be read later on a partitioned log: keep it for then.
    MutableStateOf<ConversationState>(ConversationStream(protocol->conversation_id)).protocol =
        protocol->protocol;
  } else if (const auto* contact = events::As<events::ContactCreated>(event)) {
    // The first contact with a phone or e-mail keeps it.
    const std::string phone =
        contact->phone.empty() ? "" : PhoneKey(NormalizePhone(contact->phone));
    const std::string email =
        contact->email.empty() ? "" : EmailKey(NormalizeEmail(contact->email));
    if (!phone.empty() && !GetLookup(phone)) PutLookup(phone, id);
    if (!email.empty() && !GetLookup(email)) PutLookup(email, id);
  } else if (contact_update) {
    // The lookup moves with the value; a value another contact holds stays theirs.
    auto move = [&](const std::optional<std::string>& changed, const std::string& old_value,
                    const std::string& new_value, auto key_of) {
      if (!changed || old_value == new_value) return;
      if (!old_value.empty() && GetLookup(key_of(old_value)) == id)
        PutLookup(key_of(old_value), "");
      if (!new_value.empty() && GetLookup(key_of(new_value)).value_or("").empty()) {
        PutLookup(key_of(new_value), id);
      }
    };
    move(contact_update->phone, old_phone, NormalizePhone(contact_update->phone.value_or("")),
         [](const std::string& v) { return PhoneKey(v); });
    move(contact_update->email, old_email, NormalizeEmail(contact_update->email.value_or("")),
         [](const std::string& v) { return EmailKey(v); });
  } else if (const auto* merged = events::As<events::ContactsMerged>(event)) {
    // The duplicate leads here from now on: its phone and e-mail, and its conversations on each
    // channel (so a message from it continues them rather than opening a new one).
    ContactState& duplicate = MutableStateOf<ContactState>(ContactStream(merged->from));
    duplicate.merged_into = id;
    if (auto* survivor = std::get_if<ContactState>(&slot.record->state)) {
      for (const auto& [external_id, order] : duplicate.orders) {
        survivor->orders.emplace(external_id, order);  // the survivor's own record wins
      }
    }
    for (const std::string& key :
         {duplicate.phone.empty() ? std::string() : PhoneKey(NormalizePhone(duplicate.phone)),
          duplicate.email.empty() ? std::string() : EmailKey(NormalizeEmail(duplicate.email))}) {
      if (!key.empty() && GetLookup(key) == merged->from) PutLookup(key, id);
    }
    for (const std::string& channel_id : channel_ids_) {
      const std::string from_key = ContactChannelKey(merged->from, channel_id);
      auto moved = nlohmann::json::parse(GetLookup(from_key).value_or("[]"), nullptr, false);
      if (!moved.is_array() || moved.empty()) continue;
      const std::string to_key = ContactChannelKey(id, channel_id);
      auto ids = nlohmann::json::parse(GetLookup(to_key).value_or("[]"), nullptr, false);
      if (!ids.is_array()) ids = nlohmann::json::array();
      for (const auto& conversation : moved) ids.push_back(conversation);
      // Oldest first, as ConversationsOf promises.
      std::vector<std::pair<int64_t, std::string>> by_age;
      for (const auto& conversation : ids) {
        if (!conversation.is_string()) continue;
        const auto* c = StateOf<ConversationState>(ConversationStream(conversation));
        by_age.emplace_back(c ? c->opened_at.ms : 0, conversation.get<std::string>());
      }
      std::stable_sort(by_age.begin(), by_age.end());
      nlohmann::json sorted = nlohmann::json::array();
      for (const auto& [at, conversation] : by_age) sorted.push_back(conversation);
      PutLookup(to_key, DumpJson(sorted));
      PutLookup(from_key, "[]");
    }
    for (const std::string& conversation_id : merged->conversation_ids) {
      MutableStateOf<ConversationState>(ConversationStream(conversation_id)).contact_id = id;
    }
  } else if (const auto* erased = events::As<events::ContactErased>(event)) {
    for (const std::string& key : erased_lookups) PutLookup(key, "");
    for (const std::string& merged_id : erased->merged_ids) {
      ContactState& duplicate = MutableStateOf<ContactState>(ContactStream(merged_id));
      duplicate.erased = true;
      duplicate.name = kErased;
      duplicate.phone.clear();
      duplicate.email.clear();
      duplicate.attributes = nlohmann::json::object();
      duplicate.social = nlohmann::json::object();
    }
    for (const std::string& conversation_id : erased->conversation_ids) {
      auto& c = MutableStateOf<ConversationState>(ConversationStream(conversation_id));
      if (c.last_message) c.last_message->text = kErased;
      if (c.subject) c.subject = kErased;
    }
  } else if (const auto* blocked = events::As<events::BlockedMessageReceived>(event)) {
    // Delivered again, it is a duplicate like any other message.
    PutLookup(InboundKey(blocked->channel_id, blocked->external_id),
              nlohmann::json::array({"", blocked->message_id, id}).dump());
  }
  return true;
}

void WriteModel::AddStageUse(const std::string& funnel_id, const std::string& stage_id,
                             int64_t delta) {
  if (funnel_id.empty() || stage_id.empty()) return;
  auto& in_use = MutableStateOf<FunnelState>(FunnelStream(funnel_id)).in_use;
  int64_t& count = in_use[stage_id];
  count += delta;
  if (count == 0) in_use.erase(stage_id);
}

void WriteModel::CountStageUse(const std::optional<events::Event>& event, const Slot& slot) {
  if (const auto* created = events::As<events::ContactCreated>(event)) {
    AddStageUse(kDefaultFunnelId, created->stage, +1);
  } else if (const auto* staged = events::As<events::ContactStageChanged>(event)) {
    if (staged->to.empty()) return;  // changes nothing (Evolve passes it over too)
    if (const auto* contact = std::get_if<ContactState>(&slot.record->state)) {
      AddStageUse(contact->funnel_id, contact->stage, -1);  // where it stood, as recorded
    }
    AddStageUse(staged->funnel_id, staged->to, +1);
  } else if (const auto* merged = events::As<events::ContactsMerged>(event)) {
    // The duplicate leaves its stage: nothing can move it any more.
    if (const auto* duplicate = StateOf<ContactState>(ContactStream(merged->from));
        duplicate && !duplicate->stage.empty()) {
      const std::string funnel_id = duplicate->funnel_id, stage = duplicate->stage;
      AddStageUse(funnel_id, stage, -1);
      // Counted out once: a merge read again (or late) subtracts nothing more.
      MutableStateOf<ContactState>(ContactStream(merged->from)).stage.clear();
    }
  } else if (const auto* deal = events::As<events::DealCreated>(event)) {
    AddStageUse(deal->funnel_id, deal->stage_id, +1);
  } else if (const auto* moved = events::As<events::DealMoved>(event)) {
    AddStageUse(moved->funnel_id, moved->from, -1);
    AddStageUse(moved->funnel_id, moved->to, +1);
  } else if (const auto* reopened = events::As<events::DealReopened>(event)) {
    AddStageUse(reopened->funnel_id, reopened->from, -1);
    AddStageUse(reopened->funnel_id, reopened->to, +1);
  }
}

const FunnelState* WriteModel::Funnel(const std::string& id) const {
  const FunnelState* s = StateOf<FunnelState>(FunnelStream(id));
  if (s && s->exists) return s;
  if (id != kDefaultFunnelId) return nullptr;
  // The default funnel before an admin redefined it: built in, with the use counted so far.
  default_funnel_ = DefaultFunnel();
  if (s) default_funnel_.in_use = s->in_use;
  return &default_funnel_;
}

std::vector<const FunnelState*> WriteModel::AllFunnels() const {
  std::vector<const FunnelState*> out;
  bool has_default = false;
  for (const std::string& id : funnel_ids_) {
    if (const FunnelState* f = Funnel(id)) {
      out.push_back(f);
      has_default = has_default || id == kDefaultFunnelId;
    }
  }
  if (!has_default) out.insert(out.begin(), Funnel(kDefaultFunnelId));
  return out;
}

const TaskTypeState* WriteModel::TaskType(const std::string& id) const {
  return Live(StateOf<TaskTypeState>(TaskTypeStream(id)));
}

const TaskState* WriteModel::Task(const std::string& id) const {
  return Live(StateOf<TaskState>(TaskStream(id)));
}

const TaskScheduleState* WriteModel::TaskSchedule(const std::string& id) const {
  return Live(StateOf<TaskScheduleState>(TaskScheduleStream(id)));
}

const DealState* WriteModel::Deal(const std::string& id) const {
  return Live(StateOf<DealState>(DealStream(id)));
}

const ConversationState* WriteModel::Conversation(const std::string& id) const {
  const ConversationState* c = Live(StateOf<ConversationState>(ConversationStream(id)));
  return c && c->deleted ? nullptr : c;  // deleted: no command and no routing finds it
}
const UserState* WriteModel::User(const std::string& id) const {
  return Live(StateOf<UserState>(UserStream(id)));
}
const TeamState* WriteModel::Team(const std::string& id) const {
  return Live(StateOf<TeamState>(TeamStream(id)));
}
const ChannelState* WriteModel::Channel(const std::string& id) const {
  return Live(StateOf<ChannelState>(ChannelStream(id)));
}
const ContactState* WriteModel::Contact(const std::string& id) const {
  return Live(StateOf<ContactState>(ContactStream(id)));
}
const TemplateState* WriteModel::Template(const std::string& id) const {
  return Live(StateOf<TemplateState>(TemplateStream(id)));
}
const DeskSettingsState& WriteModel::DeskSettings() const {
  static const DeskSettingsState kDefaults;
  const DeskSettingsState* s = StateOf<DeskSettingsState>(kDeskSettingsStream);
  return s ? *s : kDefaults;
}
const QuickReplyState* WriteModel::QuickReply(const std::string& id) const {
  return Live(StateOf<QuickReplyState>(QuickReplyStream(id)));
}

const UserState* WriteModel::UserByTokenDigest(const std::string& sha256) const {
  auto it = user_by_token_.find(sha256);
  return it == user_by_token_.end() ? nullptr : User(it->second);
}

const ChannelState* WriteModel::ChannelByTokenDigest(const std::string& sha256) const {
  auto it = channel_by_token_.find(sha256);
  return it == channel_by_token_.end() ? nullptr : Channel(it->second);
}

std::optional<std::string> WriteModel::ContactByPhone(const std::string& normalized) const {
  return GetLookup(PhoneKey(normalized));
}

std::optional<std::string> WriteModel::ContactByEmail(const std::string& normalized) const {
  return GetLookup(EmailKey(normalized));
}

std::optional<InboundRecord> WriteModel::Inbound(const std::string& channel_id,
                                                 const std::string& external_id) const {
  auto stored = GetLookup(InboundKey(channel_id, external_id));
  if (!stored) return std::nullopt;
  const auto parts = nlohmann::json::parse(*stored, nullptr, /*allow_exceptions=*/false);
  if (!parts.is_array() || parts.size() != 3) {
    ReadFailed(Error{ErrorCode::kInternal, "unreadable inbound lookup"});
    return std::nullopt;
  }
  return InboundRecord{parts[0].get<std::string>(), parts[1].get<std::string>(),
                       parts[2].get<std::string>()};
}

std::vector<std::string> WriteModel::ConversationIdsOf(const std::string& contact_id) const {
  std::vector<std::string> ids;
  for (const std::string& channel_id : channel_ids_) {
    for (const ConversationState* c : ConversationsOf(contact_id, channel_id)) ids.push_back(c->id);
  }
  return ids;
}

std::vector<const ConversationState*> WriteModel::ConversationsOf(
    const std::string& contact_id, const std::string& channel_id) const {
  std::vector<const ConversationState*> out;
  auto stored = GetLookup(ContactChannelKey(contact_id, channel_id));
  if (!stored) return out;
  const auto ids = nlohmann::json::parse(*stored, nullptr, false);
  if (!ids.is_array()) {
    ReadFailed(Error{ErrorCode::kInternal, "unreadable conversation list of " + contact_id});
    return out;
  }
  for (const auto& id : ids) {
    if (!id.is_string()) continue;
    if (const auto* c = Conversation(id.get<std::string>())) out.push_back(c);
  }
  return out;
}

std::vector<UserState> WriteModel::AllUsers() const {
  std::vector<UserState> out;
  for (const auto& id : user_ids_) {
    if (const UserState* u = User(id)) out.push_back(*u);
  }
  return out;
}

uint64_t WriteModel::StreamVersion(const std::string& stream) const {
  const Slot* slot = Find(stream);
  return slot ? slot->record->version : 0;
}

void WriteModel::NoteNewStream(const std::string& stream) const {
  if (!store_ || slots_.count(stream)) return;
  if (absent_records_.size() >= kAbsentKeys) absent_records_.clear();
  absent_records_.insert(stream);
}

std::string WriteModel::LastHash(const std::string& stream) const {
  const Slot* slot = Find(stream);
  return slot ? slot->record->last_hash : "";
}

std::optional<std::string> WriteModel::QuickReplyWithShortcut(const std::string& shortcut,
                                                              const std::string& owner_id,
                                                              const std::string& except_id) const {
  // Few quick replies exist (tens to hundreds): a scan is simpler than an index kept in step.
  for (const auto& id : quick_reply_ids_) {
    const QuickReplyState* q = QuickReply(id);
    if (id == except_id || !q || q->deleted || q->shortcut != shortcut) continue;
    if (q->is_public || q->owner_id == owner_id) return id;
  }
  return std::nullopt;
}

WriteModel::Snapshot WriteModel::TakeSnapshot() {
  Snapshot s;
  s.epoch = epoch_;
  s.records.reserve(dirty_.size());
  s.record_changes.reserve(dirty_.size());
  for (const std::string& stream : dirty_) {
    const Slot& slot = slots_.at(stream);
    s.records.emplace_back(stream, slot.record);
    s.record_changes.push_back(slot.change);
  }
  if (!store_) return s;  // nothing is flushed: every lookup stays in lookups_
  if (flushing_lookups_) {
    // The last snapshot's write failed: its lookups go again, under what changed since.
    for (const auto& [key, value] : *flushing_lookups_) lookups_.emplace(key, value);
  }
  // Moved out whole rather than copied one by one under the caller's lock.
  flushing_lookups_ = std::make_shared<const Lookups>(std::move(lookups_));
  lookups_.clear();
  s.lookups = flushing_lookups_;
  return s;
}

Status WriteModel::WriteSnapshot(StateStore& store, Snapshot& snapshot,
                                 const ConsistencyToken& offset) {
  std::vector<StateStore::Write> writes;
  static const Lookups kNone;
  const Lookups& lookups = snapshot.lookups ? *snapshot.lookups : kNone;
  writes.reserve(snapshot.records.size() + lookups.size());
  snapshot.record_sizes.clear();
  for (const auto& [stream, record] : snapshot.records) {
    std::string encoded = EncodeRecord(*record);
    snapshot.record_sizes.push_back(encoded.size());
    writes.emplace_back(kRecordPrefix + stream, std::move(encoded));
  }
  for (const auto& [key, value] : lookups) {
    // An empty value is a dropped lookup (an erased contact's phone): gone from the store too.
    writes.emplace_back(kLookupPrefix + key,
                        value.empty() ? std::nullopt : std::optional<std::string>(value));
  }
  return store.Commit(writes, offset);
}

void WriteModel::MarkFlushed(const Snapshot& snapshot) {
  if (!store_ || snapshot.epoch != epoch_) return;
  for (size_t i = 0; i < snapshot.records.size(); ++i) {
    const std::string& stream = snapshot.records[i].first;
    auto it = slots_.find(stream);
    if (it == slots_.end() || it->second.change != snapshot.record_changes[i]) continue;
    Slot& slot = it->second;
    slot.dirty = false;
    if (!slot.pinned) {
      slot.bytes = snapshot.record_sizes[i] + 2 * stream.size() + kSlotOverhead;
      lru_.push_front(stream);
      slot.lru = lru_.begin();
      cached_bytes_ += slot.bytes;
    }
  }
  std::vector<std::string> still_dirty;
  for (const std::string& stream : dirty_) {
    if (slots_.at(stream).dirty) still_dirty.push_back(stream);
  }
  dirty_ = std::move(still_dirty);
  // Changed since, a lookup is in lookups_, which is read first.
  if (snapshot.lookups == flushing_lookups_) flushing_lookups_.reset();
}

void WriteModel::Trim() {
  while (cached_bytes_ > cache_bytes_ && !lru_.empty()) {
    const std::string stream = lru_.back();
    lru_.pop_back();
    auto it = slots_.find(stream);
    cached_bytes_ -= it->second.bytes;
    slots_.erase(it);
  }
}

std::string WriteModel::DumpForComparison() const {
  std::map<std::string, std::string> all;
  if (store_) {
    for (const char* prefix : {kRecordPrefix, kLookupPrefix}) {
      Status scanned = store_->Scan(prefix, [&](std::string_view k, std::string_view v) {
        all.emplace(std::string(k), std::string(v));
      });
      if (!scanned.ok()) ReadFailed(scanned.error());
    }
  }
  for (const auto& [stream, slot] : slots_) {
    if (slot.dirty || !store_) all[kRecordPrefix + stream] = EncodeRecord(*slot.record);
  }
  if (flushing_lookups_) {
    for (const auto& [key, value] : *flushing_lookups_) all[kLookupPrefix + key] = value;
  }
  for (const auto& [key, value] : lookups_) all[kLookupPrefix + key] = value;
  std::string out;
  for (const auto& [key, value] : all) out += key + "=" + value + "\n";
  return out;
}

}  // namespace helpdesk
