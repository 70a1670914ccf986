#include "commands/cluster/kafka_decider.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>

#include "adapters/kafka_client.h"
#include "adapters/random_ids.h"
#include "adapters/thread_name.h"
#include "commands/command_codec.h"
#include "domain/json_text.h"

namespace helpdesk {
namespace {

using nlohmann::json;

// The commands partition the decider thread is deciding a command of; -1 elsewhere.
thread_local int32_t t_partition = -1;

constexpr size_t kMaxBatch = 256;
// A command sent on more often than this is answered log_unavailable: ownership is moving.
constexpr int kMaxHops = 4;
constexpr auto kAfterWait = std::chrono::seconds(5);

}  // namespace

struct KafkaDecider::LocalRequest {
  int32_t partition = 0;
  DecodedCommand command;
  // Its client stopped waiting (and was answered 503): not to be decided if not begun.
  std::atomic<bool> abandoned{false};
  // nullopt: not decided here after all (the partition moved, or the stream is another's).
  std::promise<std::optional<Result<CommandOutcome>>> answer;
};

struct KafkaDecider::Received {
  int32_t partition = 0;
  int64_t offset = 0;
  json envelope;  // request_id, reply_to, hops, after, command; null when unreadable
  std::shared_ptr<LocalRequest> local;           // instead of an envelope: a command from this node
  bool handed_back = false;                      // local, and to be routed after all
  std::optional<Decision> decision;              // decided here, durable once the batch commits
  std::optional<Result<CommandOutcome>> result;  // the answer
  bool sent_on = false;                          // not mine: sent to its stream's owner
};

KafkaDecider::KafkaDecider(KafkaLog& log, DeciderLog& decider_log, CommandService& service,
                           KafkaCommandBus& bus, const ViewProgress& views)
    : log_(log),
      decider_log_(decider_log),
      service_(service),
      bus_(bus),
      views_(views),
      committed_recently_(bus.max_command_age()) {}

KafkaDecider::~KafkaDecider() {
  {
    std::lock_guard<std::mutex> lock(local_mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  for (const std::shared_ptr<LocalRequest>& request : local_) {
    request->answer.set_value(Error{ErrorCode::kLogUnavailable, "this node is stopping"});
  }
  if (consumer_queue_) rd_kafka_queue_destroy(consumer_queue_);
  if (consumer_) {
    rd_kafka_consumer_close(consumer_);  // leaves the group: the others take the partitions
    rd_kafka_destroy(consumer_);
  }
  service_.SetPlacement(nullptr);
}

Status KafkaDecider::Start() {
  const KafkaOptions& o = log_.options();
  const std::string topic = KafkaCommandBus::CommandsTopic(o.topic);
  auto consumer = NewKafkaConsumer(
      {{"bootstrap.servers", o.brokers},
       {"group.id", topic + ".deciders"},
       {"enable.auto.commit", "false"},
       {"enable.auto.offset.store", "false"},
       {"isolation.level", "read_committed"},
       {"auto.offset.reset", "earliest"},
       {"partition.assignment.strategy", "roundrobin"},
       // A node that dies loses its partitions after this long without a heartbeat.
       {"session.timeout.ms", "6000"},
       {"heartbeat.interval.ms", "1000"},
       {"fetch.wait.max.ms", "5"}},
      OnRebalance, this);
  if (!consumer.ok()) return consumer.error();
  consumer_ = consumer.value();
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err) return KafkaUnavailable(std::string("kafka subscribe: ") + rd_kafka_err2str(err));
  consumer_queue_ = rd_kafka_queue_get_consumer(consumer_);
  service_.SetPlacement(this);
  thread_ = std::thread([this] {
    NameThisThread("decider");
    Loop();
  });
  return Status::Ok();
}

bool KafkaDecider::MayWrite(const std::string& stream) const {
  return t_partition >= 0 && KafkaLog::PartitionFor(stream, log_.partitions()) == t_partition;
}

bool KafkaDecider::Owns(const std::string& stream) const {
  std::lock_guard<std::mutex> lock(owned_mu_);
  return owned_.count(KafkaLog::PartitionFor(stream, log_.partitions())) > 0;
}

std::string KafkaDecider::NewIdFor(std::string (*stream_of)(const std::string&)) const {
  // About one try in `partitions` lands here.
  for (int attempt = 0; t_partition >= 0 && attempt < 10000; ++attempt) {
    std::string id = NewId();
    if (KafkaLog::PartitionFor(stream_of(id), log_.partitions()) == t_partition) return id;
  }
  return NewId();
}

std::optional<Result<CommandOutcome>> KafkaDecider::DecideHere(const std::string& routing_key,
                                                               const Caller& caller,
                                                               const Command& command) {
  if (!Owns(routing_key)) return std::nullopt;
  auto request = std::make_shared<LocalRequest>();
  request->partition = KafkaLog::PartitionFor(routing_key, log_.partitions());
  request->command = DecodedCommand{caller, command};
  std::future<std::optional<Result<CommandOutcome>>> answer = request->answer.get_future();
  {
    // Under the lock: once stop_ is set the queue may be destroyed.
    std::lock_guard<std::mutex> lock(local_mu_);
    if (stop_) return std::nullopt;
    local_.push_back(request);
    rd_kafka_queue_yield(consumer_queue_);  // the decider may be waiting in a poll
  }
  if (answer.wait_for(bus_.reply_timeout()) != std::future_status::ready) {
    request->abandoned = true;
    return Result<CommandOutcome>(
        KafkaUnavailable("the command was not decided in time (is the broker away?)"));
  }
  return answer.get();
}

void KafkaDecider::TakeLocal(std::vector<Received>& batch) {
  std::lock_guard<std::mutex> lock(local_mu_);
  for (std::shared_ptr<LocalRequest>& request : local_) {
    Received c;
    c.partition = request->partition;
    c.local = std::move(request);
    batch.push_back(std::move(c));
  }
  local_.clear();
}

void KafkaDecider::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* list, void* opaque) {
  auto* self = static_cast<KafkaDecider*>(opaque);
  std::lock_guard<std::mutex> lock(self->owned_mu_);
  ++self->rebalances_;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    rd_kafka_assign(rk, list);
    self->owned_.clear();
    for (int i = 0; i < list->cnt; ++i) self->owned_.insert(list->elems[i].partition);
    self->newly_assigned_ = true;
    spdlog::info("deciding for command partitions [{}]", fmt::join(self->owned_, ","));
  } else {
    rd_kafka_assign(rk, nullptr);
    self->owned_.clear();
    spdlog::info("command partitions revoked");
  }
}

void KafkaDecider::Loop() {
  while (!stop_) {
    uint64_t rebalances_before;
    {
      std::lock_guard<std::mutex> lock(owned_mu_);
      rebalances_before = rebalances_;
    }
    std::vector<Received> batch;
    TakeLocal(batch);
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_, batch.empty() ? 100 : 0);
    while (m) {
      if (!m->err) {
        Received c;
        c.partition = m->partition;
        c.offset = m->offset;
        c.envelope = json::parse(static_cast<const char*>(m->payload),
                                 static_cast<const char*>(m->payload) + m->len, nullptr, false);
        if (!c.envelope.is_object() || !c.envelope.contains("command") ||
            !c.envelope.value("request_id", json()).is_string() ||
            !c.envelope.value("reply_to", json()).is_string() ||
            !c.envelope.value("hops", json(0)).is_number_unsigned() ||
            !c.envelope.value("after", json("")).is_string()) {
          spdlog::error("kafka: unreadable command at {}:{} skipped", m->partition, m->offset);
          c.envelope = nullptr;
        }
        batch.push_back(std::move(c));
      } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        spdlog::debug("kafka commands: {}", rd_kafka_message_errstr(m));
      }
      rd_kafka_message_destroy(m);
      m = batch.size() < kMaxBatch ? rd_kafka_consumer_poll(consumer_, 0) : nullptr;
    }
    TakeLocal(batch);
    bool catch_up;
    bool rewind = false;
    {
      std::lock_guard<std::mutex> lock(owned_mu_);
      catch_up = newly_assigned_;
      newly_assigned_ = false;
      // Partitions changed hands while this batch was read: its commands come again from the
      // committed offsets, to whoever owns them now. The position must go back there too:
      // messages read just after this node's own assignment would otherwise be skipped (the
      // first command after a start was lost, its client answered 503 after 12 s).
      // Local commands stay: DecideBatch checks each against the partitions owned now.
      if (rebalances_ != rebalances_before) {
        const auto consumed = [](const Received& c) { return !c.local; };
        rewind = std::any_of(batch.begin(), batch.end(), consumed);
        batch.erase(std::remove_if(batch.begin(), batch.end(), consumed), batch.end());
      }
    }
    if (rewind) Rewind();
    if (catch_up) CatchUpOnOwnedPartitions();
    if (!batch.empty()) DecideBatch(batch);
  }
}

void KafkaDecider::CatchUpOnOwnedPartitions() {
  std::set<int32_t> owned;
  {
    std::lock_guard<std::mutex> lock(owned_mu_);
    owned = owned_;
  }
  const std::string& events = log_.options().topic;
  const auto started = std::chrono::steady_clock::now();
  for (int32_t p : owned) {
    // The end of the events partition now: the previous owner's last commit is below it.
    int64_t low = 0, high = 0;
    while (!stop_ && rd_kafka_query_watermark_offsets(consumer_, events.c_str(), p, &low, &high,
                                                      5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    while (!stop_ && !log_.HasReached(views_.Applied(), p, high)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ReadCommittedOffsets(owned);
  spdlog::info("caught up on partitions [{}] in {} ms", fmt::join(owned, ","),
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count());
}

void KafkaDecider::ReadCommittedOffsets(const std::set<int32_t>& owned) {
  const std::string topic = KafkaCommandBus::CommandsTopic(log_.options().topic);
  committed_.clear();
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(owned.size()));
  for (int32_t p : owned) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  while (!stop_ && rd_kafka_committed(consumer_, list, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (int i = 0; !stop_ && i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = list->elems[i];
    // Not known (e.g. an offset commit still pending): the partition's local commands go
    // through the topic until a batch of consumed ones commits and tells.
    if (p.err) continue;
    int64_t next = p.offset;
    if (next < 0) {
      // Nothing committed yet: the group reads from the earliest record, so that is where it
      // stands.
      int64_t high = 0;
      if (rd_kafka_query_watermark_offsets(consumer_, topic.c_str(), p.partition, &next, &high,
                                           5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        continue;
      }
    }
    committed_[p.partition] = next;
  }
  rd_kafka_topic_partition_list_destroy(list);
}

void KafkaDecider::DecideBatch(std::vector<Received>& batch) {
  const std::string commands_topic = KafkaCommandBus::CommandsTopic(log_.options().topic);
  std::map<int32_t, int64_t> next_offsets;
  std::set<int32_t> local_partitions;
  // The request ids decided here in this batch, with their signed send times: remembered as
  // committed once the transaction is.
  std::map<std::string, int64_t> decided_here;
  TransactionExtras extras;
  // Each command decides on this thread, on state that includes the previous ones' events; none
  // waits for the log: the whole batch becomes durable in the one transaction below.
  std::set<int32_t> owned;
  {
    std::lock_guard<std::mutex> lock(owned_mu_);
    owned = owned_;
  }
  for (Received& c : batch) {
    if (c.local) {
      // Owned when it was asked, but partitions may have moved since (and their offsets must be
      // known, to fence this transaction with the group's generation).
      if (!owned.count(c.partition) || !committed_.count(c.partition)) {
        c.handed_back = true;
        continue;
      }
      if (c.local->abandoned) continue;  // nobody waits for it: never decided
      // A stream of another partition: routed like a command from another node.
      if (Decide(c, c.local->command)) {
        c.handed_back = true;
      } else {
        local_partitions.insert(c.partition);
      }
      continue;
    }
    next_offsets[c.partition] = c.offset + 1;
    if (c.envelope.is_null()) continue;
    if (c.envelope.value("hops", 0) > kMaxHops) {
      c.result = Error{ErrorCode::kLogUnavailable, "the command's stream is changing owner"};
      continue;
    }
    if (auto after = ConsistencyToken::Parse(c.envelope.value("after", ""))) {
      views_.WaitFor(*after, kAfterWait);
    }
    if (!bus_.Authentic(c.envelope)) {
      spdlog::error("kafka: command {} at {}:{} is not signed with this cluster's key: refused",
                    c.envelope.value("request_id", ""), c.partition, c.offset);
      c.result = Forbidden("the command is not signed with this cluster's key");
      continue;
    }
    if (!bus_.Fresh(c.envelope)) {
      spdlog::error(
          "kafka: command {} at {}:{} was sent at {} ms, too long ago: refused as a replay",
          c.envelope.value("request_id", ""), c.partition, c.offset,
          c.envelope.value("sent_at", int64_t{0}));
      c.result =
          Forbidden("the command was sent too long ago (a replay, or held up past its wait)");
      continue;
    }
    const std::string request_id = c.envelope.value("request_id", "");
    if (committed_recently_.Seen(request_id) || decided_here.count(request_id)) {
      spdlog::error("kafka: command {} at {}:{} was decided already: refused as a replay",
                    request_id, c.partition, c.offset);
      c.result = Forbidden("the command was decided already (a replay)");
      continue;
    }
    Result<DecodedCommand> decoded = DecodeCommand(c.envelope["command"]);
    if (!decoded.ok()) {
      c.result = decoded.error();
      continue;
    }
    if (std::optional<std::string> not_mine = Decide(c, decoded.value())) {
      // Its events belong to a stream of another partition: on to that partition's owner, in
      // this transaction.
      const std::string& stream = *not_mine;
      json envelope = c.envelope;
      envelope["hops"] = envelope.value("hops", 0) + 1;
      extras.messages.push_back(KafkaMessage{commands_topic,
                                             KafkaLog::PartitionFor(stream, log_.partitions()),
                                             stream, DumpJson(envelope)});
      c.sent_on = true;
    }
    // Decided here, done or refused: a copy is a replay. A command sent on is decided by the
    // stream's owner, which may be this node in a later batch.
    if (!c.sent_on) decided_here.emplace(request_id, c.envelope.value("sent_at", int64_t{0}));
  }

  // Local commands commit their partitions' offsets as they stand, unless consumed ones move them.
  for (int32_t p : local_partitions) next_offsets.emplace(p, committed_.at(p));
  if (next_offsets.empty()) {  // only local commands, all routed after all: nothing decided
    for (Received& c : batch) c.local->answer.set_value(std::nullopt);
    return;
  }

  // One transaction: the batch's events, the commands sent on, the consumed offsets.
  std::vector<DeciderLog::Pending> pending = decider_log_.TakeAll();
  AppendRequest combined;
  for (DeciderLog::Pending& p : pending) {
    for (const auto& [stream, version] : p.request.expected_versions) {
      combined.expected_versions.emplace(stream, version);  // the first append's: versions chain
    }
    for (const NewEvent& e : p.request.events) combined.events.push_back(e);
  }
  rd_kafka_topic_partition_list_t* offsets =
      rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets.size()));
  for (const auto& [partition, next] : next_offsets) {
    rd_kafka_topic_partition_list_add(offsets, commands_topic.c_str(), partition)->offset = next;
  }
  rd_kafka_consumer_group_metadata_t* group = rd_kafka_consumer_group_metadata(consumer_);
  extras.offsets = offsets;
  extras.group = group;
  Result<AppendResult> committed = log_.Transact(std::move(combined), extras);
  rd_kafka_consumer_group_metadata_destroy(group);
  rd_kafka_topic_partition_list_destroy(offsets);

  if (committed.ok()) {
    size_t next = 0;
    for (DeciderLog::Pending& p : pending) {
      AppendResult part;
      for (size_t n = 0; n < p.request.events.size(); ++n, ++next) {
        RecordedEvent& r = committed.value().recorded[next];
        part.token.Set(r.partition, r.position);
        part.recorded.push_back(std::move(r));
      }
      p.done.set_value(std::move(part));
    }
  } else {
    spdlog::warn("commands not committed, they will be decided again: {}",
                 committed.error().message);
    for (DeciderLog::Pending& p : pending) p.done.set_value(committed.error());
  }
  // The decisions' futures are settled now: their answers (and, if the transaction failed, the
  // write model's return to what the log holds).
  for (Received& c : batch) {
    if (c.decision) c.result = service_.Await(std::move(*c.decision));
  }
  for (const auto& [partition, next] : next_offsets) {
    // After a failure the group's offsets are unknown (a commit that timed out may still land):
    // local commands of these partitions are routed until a batch commits again.
    if (committed.ok()) {
      committed_[partition] = next;
    } else {
      committed_.erase(partition);
    }
  }
  for (Received& c : batch) {
    if (!c.local) continue;
    if (c.local->abandoned && !c.decision && !c.result) {
      c.local->answer.set_value(std::nullopt);  // nobody reads it
    } else if (c.handed_back) {
      c.local->answer.set_value(std::nullopt);
    } else if (!committed.ok()) {
      // Even a refusal: it was decided on state that included the batch's undone decisions.
      c.local->answer.set_value(Result<CommandOutcome>(committed.error()));
    } else {
      c.local->answer.set_value(std::move(*c.result));
    }
  }
  if (!committed.ok()) {
    // Nobody is answered: each command is decided again from the committed offsets, by this
    // node or the partition's next owner, and answered then.
    Rewind();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return;
  }
  for (const auto& [request_id, sent_at] : decided_here) {
    committed_recently_.Remember(request_id, sent_at);
  }
  committed_recently_.Expire(bus_.NowMs());
  for (Received& c : batch) {
    if (c.envelope.is_null() || c.sent_on || !c.result) continue;
    bus_.SendReply(c.envelope["reply_to"].get<std::string>(),
                   c.envelope["request_id"].get<std::string>(), EncodeOutcome(*c.result));
  }
}

std::optional<std::string> KafkaDecider::Decide(Received& c, const DecodedCommand& command) {
  t_partition = c.partition;
  Result<Decision> decided = Error{ErrorCode::kInternal, "the command could not be decided"};
  try {
    decided = service_.Decide(command.caller, command.command);
  } catch (const std::exception& e) {
    // Answered and committed like any refusal: a command that breaks the decide step must not
    // end the thread, nor come back after a restart to end it again.
    spdlog::error("kafka: command {} failed to decide: {}",
                  c.local ? "from this node" : c.envelope.value("request_id", ""), e.what());
  }
  t_partition = -1;
  if (!decided.ok()) {
    c.result = decided.error();
    return std::nullopt;
  }
  if (decided.value().not_mine) return decided.value().not_mine;
  c.decision = std::move(decided).value();
  return std::nullopt;
}

void KafkaDecider::Rewind() {
  rd_kafka_topic_partition_list_t* assigned = nullptr;
  if (rd_kafka_assignment(consumer_, &assigned) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  for (int i = 0; i < assigned->cnt; ++i) assigned->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
  rd_kafka_assign(consumer_, assigned);
  rd_kafka_topic_partition_list_destroy(assigned);
}

}  // namespace helpdesk
