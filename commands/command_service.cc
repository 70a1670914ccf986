#include "commands/command_service.h"

#include <spdlog/spdlog.h>

#include <map>
#include <optional>
#include <type_traits>
#include <utility>

#include "adapters/event_chain.h"
#include "adapters/random_ids.h"
#include "adapters/thread_name.h"
#include "domain/json_text.h"
#include "domain/personal_data.h"

namespace helpdesk {

Actor Caller::actor() const {
  if (is_user()) return Actor::User(user_id);
  if (!channel_id.empty()) return Actor::System("channel/" + channel_id);
  return Actor::System("admin");
}

namespace {

// Catching up flushes every so many events, so a long one keeps its memory bounded.
constexpr uint64_t kCatchUpFlushEvents = 50000;

void Advance(ConsistencyToken& token, const RecordedEvent& r) {
  if (r.position > token.At(r.partition)) token.Set(r.partition, r.position);
}

}  // namespace

CommandService::CommandService(EventLog& log, const Env& env, StateStore* store, size_t cache_bytes)
    : log_(log),
      clock_(env.clock),
      ids_(env.ids),
      store_(store),
      model_(store, cache_bytes),
      catch_up_flush_events_(kCatchUpFlushEvents) {}

CommandService::~CommandService() {
  {
    std::lock_guard<std::mutex> lock(flusher_mu_);
    stop_flusher_ = true;
  }
  flusher_cv_.notify_all();
  if (flusher_.joinable()) {
    flusher_.join();
    Status flushed = Flush();
    if (!flushed.ok()) spdlog::warn("last write model flush failed: {}", flushed.error().message);
  }
}

Status CommandService::Load() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Status loaded = Reload(std::chrono::seconds(30));
    if (!loaded.ok()) return loaded;
  }
  return Flush();
}

void CommandService::StartFlushing(std::chrono::milliseconds interval) {
  if (!store_ || flusher_.joinable()) return;
  flusher_ = std::thread([this, interval] {
    NameThisThread("state-flush");
    FlushLoop(interval);
  });
}

void CommandService::FlushLoop(std::chrono::milliseconds interval) {
  std::unique_lock<std::mutex> lock(flusher_mu_);
  while (!flusher_cv_.wait_for(lock, interval, [this] { return stop_flusher_; })) {
    lock.unlock();
    Status flushed = Flush();
    if (!flushed.ok()) spdlog::warn("write model flush failed: {}", flushed.error().message);
    lock.lock();
  }
}

Status CommandService::Flush() {
  if (!store_) return Status::Ok();
  std::lock_guard<std::mutex> one_at_a_time(flush_mu_);
  WriteModel::Snapshot snapshot;
  std::shared_future<Result<AppendResult>> latest;
  ConsistencyToken offset;
  uint64_t fence = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stale_) return Status::Ok();  // the reload before the next decision reads it again
    snapshot = model_.TakeSnapshot();
    latest = last_append_;
    offset = followed_;
    fence = store_fence_;
  }
  // The copy may hold decided events not durable yet: all are once the latest append is (the
  // log refuses everything queued behind a failed append).
  if (latest.valid()) {
    // Bounded: at shutdown a cluster's decider may be gone with appends it never committed.
    if (latest.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return Status::Ok();
    if (!latest.get().ok()) return Status::Ok();
    // Every event of the partitions it wrote, up to it, is in the copy: this node's own were
    // applied when decided, and others' of those partitions were followed before this node
    // took them over (the decider waits for the views, which the write model follows first).
    offset.Merge(latest.get().value().token);
  }
  if (snapshot.empty() && offset.ToString() == store_->Offset().ToString()) return Status::Ok();
  {
    std::lock_guard<std::mutex> writing(store_write_mu_);
    // A reload began since the copy: what the copy holds is durable in the log and the reload
    // reads it again, and the store may already hold newer records (see store_write_mu_).
    if (store_fence_ != fence) return Status::Ok();
    Status written = WriteModel::WriteSnapshot(*store_, snapshot, offset);
    if (!written.ok()) return written;
  }
  std::lock_guard<std::mutex> lock(mu_);
  model_.MarkFlushed(snapshot);
  model_.Trim();
  return Status::Ok();
}

Status CommandService::FlushHeld() {
  if (!store_) return Status::Ok();
  WriteModel::Snapshot snapshot = model_.TakeSnapshot();
  {
    std::lock_guard<std::mutex> writing(store_write_mu_);
    Status written = WriteModel::WriteSnapshot(*store_, snapshot, followed_);
    if (!written.ok()) return written;
  }
  model_.MarkFlushed(snapshot);
  model_.Trim();
  return Status::Ok();
}

CommandService::WriteModelStats CommandService::write_model_stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {model_.applied_events(), model_.cached_bytes(), model_.unflushed_records(),
          model_.cache_hits(), model_.store_reads()};
}

std::string CommandService::DumpWriteModel() const {
  std::lock_guard<std::mutex> lock(mu_);
  return model_.DumpForComparison();
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
  // A failure half-way leaves stale_ set (or the node not started): the next attempt resets again.
  {
    // A flush's write under way ends first; one whose copy predates this point writes nothing.
    std::lock_guard<std::mutex> writing(store_write_mu_);
    ++store_fence_;
  }
  Status reset = model_.Reset();
  if (!reset.ok()) return reset;
  followed_ = store_ ? store_->Offset() : ConsistencyToken();
  const std::string from = followed_.ToString();
  uint64_t read = 0, since_flush = 0;
  Status flushed = Status::Ok();
  Status done = ReadToEnd(
      log_, followed_,
      [&](const RecordedEvent& r) {
        model_.Apply(r);
        Advance(followed_, r);
        ++read;
        // Everything applied here is durable: it came from the log.
        if (++since_flush >= catch_up_flush_events_ && flushed.ok()) {
          flushed = FlushHeld();
          since_flush = 0;
        }
      },
      patience);
  if (!done.ok()) return done;
  if (!flushed.ok()) return flushed;
  if (model_.TakeReadFailure()) {
    return Error{ErrorCode::kInternal, "cannot read the write model's store"};
  }
  spdlog::info("write model caught up from {} to {}: {} events read",
               from.empty() ? "the start" : from, followed_.ToString(), read);
  return Status::Ok();
}

std::optional<Caller> CommandService::CallerForToken(const std::string& token_sha256) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (const UserState* u = model_.UserByTokenDigest(token_sha256)) {
    const Timestamp now = clock_.Now();
    for (const auto& [token_id, token] : u->tokens) {
      if (token.token_sha256 != token_sha256) continue;
      if (!TokenAdmits(*u, token, now)) return std::nullopt;
      Caller caller{u->id, u->role, ""};
      caller.token_id = token_id;
      return caller;
    }
    return std::nullopt;
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

std::optional<NarrowedViewer> CommandService::SightOf(const Caller& caller) const {
  std::lock_guard<std::mutex> lock(mu_);
  return SightOfLocked(caller);
}

std::optional<NarrowedViewer> CommandService::SightOfLocked(const Caller& caller) const {
  if (!caller.is_user()) return std::nullopt;  // the bootstrap admin; channel tokens see none
  const UserState* user = model_.User(caller.user_id);
  static const std::set<std::string> kNoTeams;
  return NarrowSight(model_.DeskSettings().agent_visibility, caller.role, caller.user_id,
                     user ? user->teams : kNoTeams);
}

bool CommandService::Hides(const Caller& caller, const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const ConversationState* c = model_.Conversation(id);
  return c && !SeesLocked(caller, *c);
}

bool CommandService::SeesLocked(const Caller& caller, const ConversationState& c) const {
  const auto sight = SightOfLocked(caller);
  return !sight || MaySeeConversation(*sight, c.assignee_id, c.team_id, c.participants);
}

std::optional<ChannelState> CommandService::FindChannel(const std::string& id) const {
  std::optional<ChannelState> channel;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const ChannelState* c = model_.Channel(id);
    if (!c) return std::nullopt;
    channel = *c;
  }
  // Its secrets as the webhook check and the delivery signer use them. One that does not open
  // (a key no longer configured) reads as unset: webhooks are refused, deliveries fail.
  for (std::string* secret : {&channel->app_secret, &channel->outbound_secret}) {
    auto opened = OpenSecret(*secret);
    if (!opened.ok()) spdlog::error("channel {}: {}", id, opened.error().message);
    *secret = opened.ok() ? std::move(opened).value() : "";
  }
  return channel;
}

std::string CommandService::SealSecret(const std::string& plain) const {
  return secrets_ ? secrets_->Seal(plain) : plain;
}

Result<std::string> CommandService::OpenSecret(const std::string& value) const {
  if (secrets_) return secrets_->Open(value);
  if (SecretBox::IsSealed(value)) {
    return InvalidField("secret", "is sealed and this node has no secrets key");
  }
  return value;
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
  for (DomainEvent& d : events) Stage(out, stream, std::move(d), actor, now);
}

// `Stage(out, stream, {events::Encode(e)}, …)` picks the one-event overload only while a braced
// DomainEvent is an exact match: an aggregate's.
static_assert(std::is_aggregate_v<DomainEvent>);

void CommandService::Stage(std::vector<NewEvent>& out, const std::string& stream, DomainEvent event,
                           const Actor& actor, Timestamp now) const {
  out.push_back(
      NewEvent{ids_.NewId(), stream, std::move(event.type), now, actor, std::move(event.data)});
}

Result<Decision> CommandService::Unchanged(CommandOutcome out, std::unique_lock<std::mutex>& lock) {
  return Commit({}, std::move(out), lock);
}

std::string CommandService::DrawStreamId(std::string (*stream_of)(const std::string&)) const {
  return placement_ ? placement_->NewIdFor(stream_of) : ids_.NewId();
}

std::string CommandService::NewStreamId(std::string (*stream_of)(const std::string&)) const {
  std::string id = DrawStreamId(stream_of);
  model_.NoteNewStream(stream_of(id));
  return id;
}

Status CommandService::SealPersonalData(std::vector<NewEvent>& events) const {
  if (!vault_) return Status::Ok();
  std::map<std::string, std::string> contact_of;  // conversation stream -> its contact
  for (NewEvent& e : events) {
    if (PersonalFields(e.type).empty()) {
      if (e.type == ev::kConversationOpened) {
        contact_of[e.stream] = e.data.value("contact_id", "");
      }
      continue;
    }
    std::string contact_id;
    if (e.stream.starts_with("contact/")) {
      contact_id = e.stream.substr(std::string("contact/").size());
    } else if (e.type == ev::kConversationOpened) {
      contact_id = contact_of[e.stream] = e.data.value("contact_id", "");
    } else if (auto it = contact_of.find(e.stream); it != contact_of.end()) {
      contact_id = it->second;
    } else if (const ConversationState* c =
                   model_.Conversation(e.stream.substr(e.stream.find('/') + 1))) {
      contact_id = c->contact_id;
    }
    if (contact_id.empty()) {
      return Error{ErrorCode::kInternal, "no contact to seal " + e.type + " of " + e.stream};
    }
    if (Status sealed = vault_->Seal(e, contact_id); !sealed.ok()) return sealed;
  }
  return Status::Ok();
}

void CommandService::Follow(const std::vector<RecordedEvent>& events) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stale_) return;  // the reload reads them from the log
  for (const RecordedEvent& r : events) {
    // This node's own events were applied when decided; others' arrive here once.
    model_.Apply(r);
    Advance(followed_, r);
  }
  if (model_.TakeReadFailure()) {
    // An event may have been applied to a record that could not be read: read it all again.
    ++generation_;
    stale_ = true;
    next_reload_ = std::chrono::steady_clock::now();
  }
  model_.Trim();
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

namespace {

// A batch CommandService decided: each decision awaited in turn.
class DecidedBatch final : public SubmittedBatch {
 public:
  DecidedBatch(CommandService& service, std::vector<Result<Decision>> decided)
      : service_(service), decided_(std::move(decided)) {}
  // A batch dropped unanswered is awaited all the same: Await is where an append the log
  // refused sends the write model back to the log.
  ~DecidedBatch() override {
    if (!decided_.empty()) (void)Wait();
  }

  std::vector<Result<CommandOutcome>> Wait() override {
    std::vector<Result<CommandOutcome>> outcomes;
    outcomes.reserve(decided_.size());
    for (Result<Decision>& decision : decided_) {
      if (!decision.ok()) {
        outcomes.push_back(decision.error());
      } else if (decision.value().not_mine) {
        outcomes.push_back(Error{ErrorCode::kInternal, "command for a stream of another node: " +
                                                           *decision.value().not_mine});
      } else {
        outcomes.push_back(service_.Await(std::move(decision).value()));
      }
    }
    decided_.clear();
    return outcomes;
  }

 private:
  CommandService& service_;
  std::vector<Result<Decision>> decided_;
};

}  // namespace

std::vector<Result<CommandOutcome>> CommandService::ExecuteAll(const Caller& caller,
                                                               std::vector<Command> commands) {
  return Submit(caller, std::move(commands))->Wait();
}

std::unique_ptr<SubmittedBatch> CommandService::Submit(const Caller& caller,
                                                       std::vector<Command> commands) {
  std::vector<Result<Decision>> decided;
  decided.reserve(commands.size());
  {
    // The batch's appends go to the log as one group: one sync for the lot.
    AppendHold hold(log_);
    for (const Command& command : commands) decided.push_back(Decide(caller, command));
  }
  return std::make_unique<DecidedBatch>(*this, std::move(decided));
}

Result<Decision> CommandService::Decide(const Caller& caller, const Command& command) {
  return std::visit([&](const auto& c) { return Handle(caller, c); }, command);
}

Result<Decision> CommandService::Commit(std::vector<NewEvent> events, CommandOutcome out,
                                        std::unique_lock<std::mutex>& lock) {
  if (model_.TakeReadFailure()) {
    // The decision may rest on a record the store could not give: decide nothing, read again.
    ++generation_;
    stale_ = true;
    next_reload_ = std::chrono::steady_clock::now();
    return Error{ErrorCode::kLogUnavailable, "cannot read the write model's store"};
  }
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
  // What the model holds is what readers see: the personal data in clear, kept from before
  // sealing rather than opened again.
  std::vector<std::optional<nlohmann::json>> plain(events.size());
  if (vault_) {
    for (size_t i = 0; i < events.size(); ++i) {
      if (!PersonalFields(events[i].type).empty()) plain[i] = events[i].data;
    }
  }
  if (Status sealed = SealPersonalData(events); !sealed.ok()) return sealed.error();
  AppendRequest request;
  for (const NewEvent& e : events) {
    request.expected_versions.emplace(e.stream, model_.StreamVersion(e.stream));
  }

  // Decided: the next command must see these events, durable or not yet. Each joins its
  // stream's audit chain as it is applied.
  for (size_t i = 0; i < events.size(); ++i) {
    NewEvent& e = events[i];
    RecordedEvent r;
    r.stream_version = model_.StreamVersion(e.stream) + 1;
    e.prev_hash = model_.LastHash(e.stream);
    // Written once, for the hash and the log's envelope alike.
    e.data_text.clear();
    AppendJson(e.data_text, e.data);
    e.hash = EventHash(e.prev_hash, e, r.stream_version);
    // The log takes the text, and the model the tree: the data in clear if it was sealed (the
    // sealed tree is freed here, still in cache).
    nlohmann::json data = std::exchange(e.data, nlohmann::json());
    std::string text = std::exchange(e.data_text, std::string());
    r.event = e;
    r.event.data = plain[i] ? std::move(*plain[i]) : std::move(data);
    e.data_text = std::move(text);
    model_.Apply(r);
  }
  request.events = std::move(events);
  decision.appended_at = std::chrono::steady_clock::now();
  decision.durable = log_.AppendAsync(std::move(request)).share();
  decision.wrote = true;
  last_append_ = decision.durable;
  model_.Trim();  // the decision is made: nothing holds a record of the model any more
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
  append_duration_.Record(std::chrono::steady_clock::now() - decision.appended_at);
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
