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

CommandService::CommandService(EventLog& log, const Env& env)
    : log_(log), clock_(env.clock), ids_(env.ids) {}

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
  // The failed append is behind us: a command that changes nothing must not answer its error.
  last_append_ = {};
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
    out.push_back(NewEvent{ids_.NewId(), stream, std::move(d.type), now, actor, std::move(d.data)});
  }
}

Result<Decision> CommandService::Unchanged(CommandOutcome out, std::unique_lock<std::mutex>& lock) {
  return Commit({}, std::move(out), lock);
}

std::string CommandService::NewStreamId(std::string (*stream_of)(const std::string&)) const {
  return placement_ ? placement_->NewIdFor(stream_of) : ids_.NewId();
}

void CommandService::Follow(const std::vector<RecordedEvent>& events) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const RecordedEvent& r : events) {
    // This node's own events were applied when decided; others' arrive here once.
    if (r.stream_version > model_.StreamVersion(r.event.stream)) model_.Apply(r);
  }
}

Result<CommandOutcome> CommandService::Execute(const Caller& caller, Command command) {
  Result<Decision> decided = Decide(caller, command);
  if (!decided.ok()) return decided.error();
  if (decided.value().not_mine) {
    // Only a node with a placement (a cluster) decides NotMine, and it never calls Execute.
    return Error{ErrorCode::kInternal,
                 "command for a stream of another node: " + *decided.value().not_mine};
  }
  return Await(std::move(decided).value());
}

Result<Decision> CommandService::Decide(const Caller& caller, const Command& command) {
  return std::visit([&](const auto& c) { return Handle(caller, c); }, command);
}

Result<Decision> CommandService::Commit(std::vector<NewEvent> events, CommandOutcome out,
                                        std::unique_lock<std::mutex>& lock) {
  if (placement_) {
    for (const NewEvent& e : events) {
      if (!placement_->MayWrite(e.stream)) return Decision::NotMine(e.stream);
    }
  }
  Decision decision;
  decision.outcome = std::move(out);
  decision.generation = generation_;
  if (events.empty()) {
    // Nothing to write, but the answer may rest on what is queued: the latest append.
    decision.durable = last_append_;
    lock.unlock();
    return decision;
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
  decision.durable = log_.AppendAsync(std::move(request)).share();
  decision.wrote = true;
  last_append_ = decision.durable;
  lock.unlock();
  return decision;
}

Result<CommandOutcome> CommandService::Await(Decision decision) {
  CommandOutcome out = std::move(decision.outcome);
  if (!decision.wrote) {
    ConsistencyToken token = log_.Head();
    if (decision.durable.valid()) {
      const Result<AppendResult>& settled = decision.durable.get();
      if (!settled.ok()) return settled.error();
      token.Merge(settled.value().token);
    }
    out.token = std::move(token);
    return out;
  }
  const Result<AppendResult>& appended = decision.durable.get();
  if (appended.ok()) {
    out.token = appended.value().token;
    return out;
  }
  spdlog::warn("append failed: {}", appended.error().message);
  std::lock_guard<std::mutex> lock(mu_);
  if (generation_ == decision.generation) {
    // The write model holds events the log refused (and maybe others decided after them):
    // re-read it before the next decision.
    ++generation_;
    stale_ = true;
    next_reload_ = std::chrono::steady_clock::now();
  }
  return appended.error();
}

}  // namespace helpdesk
