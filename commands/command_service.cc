#include "commands/command_service.h"

#include <spdlog/spdlog.h>

#include "adapters/event_chain.h"
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
  return Reload(std::chrono::seconds(30));
}

Status CommandService::EnsureFresh() {
  if (!stale_) return Status::Ok();
  const auto now = std::chrono::steady_clock::now();
  if (now < next_reload_)
    return Error{ErrorCode::kLogUnavailable, "the event log is recovering from a failure"};
  Status reloaded = Reload(std::chrono::seconds(2));
  if (!reloaded.ok()) {
    next_reload_ = now + std::chrono::seconds(1);
    return reloaded.error().code == ErrorCode::kLogUnavailable
               ? reloaded.error()
               : Error{ErrorCode::kLogUnavailable, reloaded.error().message};
  }
  stale_ = false;
  log_.Reset();
  return Status::Ok();
}

Status CommandService::Reload(std::chrono::seconds patience) {
  // Built aside and swapped in whole: a failed read leaves the previous model in place.
  WriteModel fresh;
  Status read = ReadToEnd(
      log_, ConsistencyToken(), [&fresh](const RecordedEvent& r) { fresh.Apply(r); }, patience);
  if (!read.ok()) return read;
  model_ = std::move(fresh);
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
    return Caller::ForChannel(ch->id);
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

std::optional<ChannelState> CommandService::FindChannel(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const ChannelState* c = model_.Channel(id);
  if (!c) return std::nullopt;
  return *c;
}

bool CommandService::AwaitsDelivery(const std::string& conversation_id,
                                    const std::string& message_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const ConversationState* c = model_.Conversation(conversation_id);
  return c && c->undelivered.count(message_id) > 0;
}

std::optional<ContactState> CommandService::FindContactOf(
    const std::string& conversation_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const ConversationState* c = model_.Conversation(conversation_id);
  const ContactState* contact = c ? model_.Contact(c->contact_id) : nullptr;
  if (!contact) return std::nullopt;
  return *contact;
}

void CommandService::Stage(std::vector<NewEvent>& out, const std::string& stream,
                           std::vector<DomainEvent> events, const Actor& actor,
                           Timestamp now) const {
  for (DomainEvent& d : events) {
    out.push_back(NewEvent{NewId(), stream, std::move(d.type), now, actor, std::move(d.data)});
  }
}

Result<CommandOutcome> CommandService::Unchanged(CommandOutcome out,
                                                 std::unique_lock<std::mutex>& lock) {
  auto token = Commit({}, lock);
  if (!token.ok()) return token.error();
  out.token = token.value();
  return out;
}

std::string CommandService::NewStreamId(std::string (*stream_of)(const std::string&)) const {
  return placement_ ? placement_->NewIdFor(stream_of) : NewId();
}

void CommandService::Follow(const std::vector<RecordedEvent>& events) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const RecordedEvent& r : events) {
    // This node's own events were applied when decided; others' arrive here once.
    if (r.stream_version > model_.StreamVersion(r.event.stream)) model_.Apply(r);
  }
}

Result<ConsistencyToken> CommandService::Commit(std::vector<NewEvent> events,
                                                std::unique_lock<std::mutex>& lock) {
  if (placement_) {
    for (const NewEvent& e : events) {
      if (!placement_->MayWrite(e.stream)) return Error{ErrorCode::kMoved, e.stream};
    }
  }
  if (events.empty()) {
    // Nothing to write, but the answer may rest on what is queued: wait for the latest append.
    std::shared_future<Result<AppendResult>> before = last_append_;
    if (on_decided_) on_decided_();
    lock.unlock();
    ConsistencyToken token = log_.Head();
    if (before.valid()) {
      const Result<AppendResult>& settled = before.get();
      if (!settled.ok()) return settled.error();
      token.Merge(settled.value().token);
    }
    return token;
  }
  AppendRequest request;
  for (const NewEvent& e : events) {
    request.expected_versions.emplace(e.stream, model_.StreamVersion(e.stream));
  }
  // Decided: the next command must see these events, durable or not yet. Each joins its
  // stream's audit chain as it is applied.
  for (NewEvent& e : events) {
    RecordedEvent r;
    r.stream_version = model_.StreamVersion(e.stream) + 1;
    e.prev_hash = model_.LastHash(e.stream);
    e.hash = EventHash(e.prev_hash, e, r.stream_version);
    r.event = e;
    model_.Apply(r);
  }
  request.events = std::move(events);
  const uint64_t generation = generation_;
  std::shared_future<Result<AppendResult>> pending = log_.AppendAsync(std::move(request)).share();
  last_append_ = pending;
  if (on_decided_) on_decided_();
  lock.unlock();
  Result<AppendResult> appended = pending.get();
  if (appended.ok()) return appended.value().token;

  spdlog::warn("append failed: {}", appended.error().message);
  lock.lock();
  if (generation_ == generation) {
    // The write model holds events the log refused (and maybe others decided after them):
    // re-read it before the next decision.
    ++generation_;
    stale_ = true;
    next_reload_ = std::chrono::steady_clock::now();
  }
  lock.unlock();
  return appended.error();
}

}  // namespace helpdesk
