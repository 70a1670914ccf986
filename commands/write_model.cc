#include "commands/write_model.h"

namespace helpdesk {
namespace {

template <class Map>
const typename Map::mapped_type* Find(const Map& m, const std::string& id) {
  auto it = m.find(id);
  return it == m.end() || !it->second.exists ? nullptr : &it->second;
}

std::string InboundKey(const std::string& channel_id, const std::string& external_id) {
  return channel_id + "\n" + external_id;
}

// "conversation/c1" -> ("conversation", "c1")
std::pair<std::string, std::string> SplitStream(const std::string& stream) {
  const auto slash = stream.find('/');
  if (slash == std::string::npos) return {stream, ""};
  return {stream.substr(0, slash), stream.substr(slash + 1)};
}

}  // namespace

std::string WriteModel::LastHash(const std::string& stream) const {
  auto it = last_hash_.find(stream);
  return it == last_hash_.end() ? "" : it->second;
}

void WriteModel::Apply(const RecordedEvent& r) {
  ++applied_;
  const NewEvent& e = r.event;
  last_hash_[e.stream] = e.hash;
  const auto [kind, id] = SplitStream(e.stream);
  if (kind == "conversation") {
    ConversationState& c = conversations_[id];
    Evolve(c, e, r.stream_version);
    if (e.type == ev::kConversationOpened) {
      conversations_by_contact_channel_[c.contact_id + "\n" + c.channel_id].push_back(id);
    } else if (e.type == ev::kMessageReceived) {
      const std::string external_id = e.data.value("external_id", "");
      if (!external_id.empty()) {
        inbound_[InboundKey(c.channel_id, external_id)] =
            InboundRecord{id, e.data.value("message_id", ""), c.contact_id};
      }
    }
  } else if (kind == "user") {
    UserState& u = users_[id];
    Evolve(u, e, r.stream_version);
    if (e.type == ev::kUserCreated) {
      if (!u.token_sha256.empty()) user_by_token_[u.token_sha256] = id;
      for (const auto& team : u.teams) teams_[team].members.insert(id);
    }
  } else if (kind == "team") {
    TeamState& t = teams_[id];
    Evolve(t, e, r.stream_version);
    if (e.type == ev::kTeamMemberAdded) {
      // On a partitioned log the user's stream may come later: keep the membership for it.
      users_[e.data.value("user_id", "")].teams.insert(id);
    }
  } else if (kind == "channel") {
    ChannelState& ch = channels_[id];
    Evolve(ch, e, r.stream_version);
    if (e.type == ev::kChannelCreated && !ch.token_sha256.empty()) {
      channel_by_token_[ch.token_sha256] = id;
    }
  } else if (kind == "quick_reply") {
    Evolve(quick_replies_[id], e, r.stream_version);
  } else if (kind == "template") {
    Evolve(templates_[id], e, r.stream_version);
  } else if (kind == "protocol") {
    protocol_versions_[id] = r.stream_version;
    // The conversation's own stream may be read later on a partitioned log: keep it for then.
    conversations_[e.data.value("conversation_id", "")].protocol = e.data.value("protocol", "");
  } else if (kind == "contact") {
    ContactState& c = contacts_[id];
    Evolve(c, e, r.stream_version);
    if (e.type == ev::kContactCreated) {
      if (!c.phone.empty()) contact_by_phone_.emplace(NormalizePhone(c.phone), id);
      if (!c.email.empty()) contact_by_email_.emplace(NormalizeEmail(c.email), id);
    } else if (e.type == ev::kBlockedMessageReceived) {
      // Delivered again, it is a duplicate like any other message.
      inbound_[InboundKey(e.data.value("channel_id", ""), e.data.value("external_id", ""))] =
          InboundRecord{"", e.data.value("message_id", ""), id};
    }
  }
}

const ConversationState* WriteModel::Conversation(const std::string& id) const {
  const ConversationState* c = Find(conversations_, id);
  return c && c->deleted ? nullptr : c;  // deleted: no command and no routing finds it
}
const UserState* WriteModel::User(const std::string& id) const { return Find(users_, id); }
const TeamState* WriteModel::Team(const std::string& id) const { return Find(teams_, id); }
const ChannelState* WriteModel::Channel(const std::string& id) const { return Find(channels_, id); }
const ContactState* WriteModel::Contact(const std::string& id) const { return Find(contacts_, id); }

const UserState* WriteModel::UserByTokenDigest(const std::string& sha256) const {
  auto it = user_by_token_.find(sha256);
  return it == user_by_token_.end() ? nullptr : User(it->second);
}

const ChannelState* WriteModel::ChannelByTokenDigest(const std::string& sha256) const {
  auto it = channel_by_token_.find(sha256);
  return it == channel_by_token_.end() ? nullptr : Channel(it->second);
}

std::optional<std::string> WriteModel::ContactByPhone(const std::string& normalized) const {
  auto it = contact_by_phone_.find(normalized);
  if (it == contact_by_phone_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> WriteModel::ContactByEmail(const std::string& normalized) const {
  auto it = contact_by_email_.find(normalized);
  if (it == contact_by_email_.end()) return std::nullopt;
  return it->second;
}

std::optional<InboundRecord> WriteModel::Inbound(const std::string& channel_id,
                                                 const std::string& external_id) const {
  auto it = inbound_.find(InboundKey(channel_id, external_id));
  if (it == inbound_.end()) return std::nullopt;
  return it->second;
}

std::vector<const ConversationState*> WriteModel::ConversationsOf(
    const std::string& contact_id, const std::string& channel_id) const {
  std::vector<const ConversationState*> out;
  auto it = conversations_by_contact_channel_.find(contact_id + "\n" + channel_id);
  if (it == conversations_by_contact_channel_.end()) return out;
  for (const auto& id : it->second) {
    if (const auto* c = Conversation(id)) out.push_back(c);
  }
  return out;
}

std::vector<UserState> WriteModel::AllUsers() const {
  std::vector<UserState> out;
  for (const auto& [id, u] : users_) {
    if (u.exists) out.push_back(u);
  }
  return out;
}

uint64_t WriteModel::StreamVersion(const std::string& stream) const {
  const auto [kind, id] = SplitStream(stream);
  auto version_of = [&](const auto& m) -> uint64_t {
    auto it = m.find(id);
    return it == m.end() ? 0 : it->second.version;
  };
  if (kind == "conversation") return version_of(conversations_);
  if (kind == "user") return version_of(users_);
  if (kind == "team") return version_of(teams_);
  if (kind == "channel") return version_of(channels_);
  if (kind == "contact") return version_of(contacts_);
  if (kind == "quick_reply") return version_of(quick_replies_);
  if (kind == "template") return version_of(templates_);
  if (kind == "protocol") {
    auto it = protocol_versions_.find(id);
    return it == protocol_versions_.end() ? 0 : it->second;
  }
  return 0;
}

const TemplateState* WriteModel::Template(const std::string& id) const {
  return Find(templates_, id);
}

const QuickReplyState* WriteModel::QuickReply(const std::string& id) const {
  return Find(quick_replies_, id);
}

std::optional<std::string> WriteModel::QuickReplyWithShortcut(const std::string& shortcut,
                                                              const std::string& owner_id,
                                                              const std::string& except_id) const {
  // Few quick replies exist (tens to hundreds): a scan is simpler than an index kept in step.
  for (const auto& [id, q] : quick_replies_) {
    if (id == except_id || !q.exists || q.deleted || q.shortcut != shortcut) continue;
    if (q.is_public || q.owner_id == owner_id) return id;
  }
  return std::nullopt;
}

}  // namespace helpdesk
