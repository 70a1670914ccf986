#include "commands/command_service.h"

#include <spdlog/spdlog.h>

#include "adapters/random_ids.h"

namespace helpdesk {

Actor Caller::actor() const {
  if (is_user()) return Actor::User(user_id);
  if (!channel_id.empty()) return Actor::System("channel/" + channel_id);
  return Actor::System("admin");
}

CommandService::CommandService(EventLog& log, const Clock& clock) : log_(log), clock_(clock) {}

Status CommandService::Load() {
  std::lock_guard<std::mutex> lock(mu_);
  ConsistencyToken at;
  for (;;) {
    auto batch = log_.Read(at, 4096, std::chrono::milliseconds(100));
    if (!batch.ok()) return batch.error();
    for (const RecordedEvent& r : batch.value()) {
      model_.Apply(r);
      at.Set(r.partition, r.position);
    }
    if (!batch.value().empty()) continue;
    auto done = log_.IsCaughtUp(at);
    if (!done.ok()) return done.error();
    if (done.value()) break;
  }
  spdlog::info("write model loaded from {} events", model_.applied_events());
  return Status::Ok();
}

std::optional<Caller> CommandService::CallerForToken(const std::string& token_sha256) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (const UserState* u = model_.UserByTokenDigest(token_sha256)) {
    return Caller{u->id, u->role, ""};
  }
  if (const ChannelState* ch = model_.ChannelByTokenDigest(token_sha256)) {
    // A channel's token may only deliver that channel's inbound messages; it gets no role rights.
    return Caller{"", Role::kAnalyst, ch->id};
  }
  return std::nullopt;
}

std::optional<UserState> CommandService::FindUser(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const UserState* u = model_.User(id);
  if (!u) return std::nullopt;
  return *u;
}

std::optional<ConversationState> CommandService::FindConversation(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const ConversationState* c = model_.Conversation(id);
  if (!c) return std::nullopt;
  return *c;
}

void CommandService::Stage(std::vector<NewEvent>& out, const std::string& stream,
                           std::vector<DomainEvent> events, const Actor& actor,
                           Timestamp now) const {
  for (DomainEvent& d : events) {
    out.push_back(NewEvent{NewId(), stream, std::move(d.type), now, actor, std::move(d.data)});
  }
}

void CommandService::ApplyRecovered(const std::vector<RecordedEvent>& events) {
  spdlog::warn("{} events committed after their command had failed: applying them", events.size());
  for (const RecordedEvent& r : events) model_.Apply(r);
}

Result<ConsistencyToken> CommandService::Commit(std::vector<NewEvent> events) {
  if (events.empty()) return log_.Head();
  AppendRequest request;
  for (const NewEvent& e : events) {
    request.expected_versions.emplace(e.stream, model_.StreamVersion(e.stream));
  }
  request.events = std::move(events);
  auto appended = log_.Append(std::move(request));
  if (!appended.ok()) {
    spdlog::warn("append failed: {}", appended.error().message);
    return appended.error();
  }
  for (const RecordedEvent& r : appended.value().recorded) model_.Apply(r);
  return appended.value().token;
}

}  // namespace helpdesk
