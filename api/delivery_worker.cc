#include "api/delivery_worker.h"

#include <spdlog/spdlog.h>

#include <set>

#include "adapters/random_ids.h"
#include "adapters/thread_name.h"
#include "domain/delivery.h"

namespace helpdesk {

DeliveryWorker::DeliveryWorker(Commands& commands, const CommandService& lookups,
                               const ViewQueries& queries, HttpPoster& poster,
                               std::function<bool(const std::string&)> owns, const Clock& clock,
                               DeliveryOptions options)
    : commands_(commands),
      lookups_(lookups),
      queries_(queries),
      poster_(poster),
      owns_(std::move(owns)),
      clock_(clock),
      options_(options) {}

DeliveryWorker::~DeliveryWorker() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void DeliveryWorker::Start() {
  thread_ = std::thread([this] {
    NameThisThread("deliveries");
    spdlog::info("delivery worker started");
    while (!stop_) {
      try {
        RunOnce();
      } catch (const std::exception& e) {
        spdlog::error("delivery pass failed: {}", e.what());
      }
      std::this_thread::sleep_for(options_.poll);
    }
  });
}

void DeliveryWorker::RunOnce() {
  const Timestamp now = clock_.Now();
  // Forget what is settled (delivered, failed, or its conversation deleted).
  for (auto it = progress_.begin(); it != progress_.end();) {
    it = lookups_.AwaitsDelivery(it->second.conversation_id, it->first) ? std::next(it)
                                                                        : progress_.erase(it);
  }
  const auto due = [&](const std::string& conversation_id, const std::string& message_id) {
    if (!owns_(ConversationStream(conversation_id))) return false;
    auto it = progress_.find(message_id);
    if (it != progress_.end()) return !it->second.recorded && it->second.next_attempt <= now;
    // The write model, not the queue view: the view may lag (a rebuild, a new node, a
    // partition just taken over) and still list what was delivered long ago.
    return lookups_.AwaitsDelivery(conversation_id, message_id);
  };
  for (const nlohmann::json& item : queries_.PendingDeliveries(due, 100)) {
    if (stop_) return;
    const std::string message_id = item.value("message_id", "");
    Progress& progress = progress_[message_id];
    progress.conversation_id = item.value("conversation_id", "");
    if (progress.unrecorded) {
      Record(progress.conversation_id, progress);
    } else {
      Attempt(item, progress);
    }
  }
  tracked_.store(progress_.size(), std::memory_order_relaxed);
}

void DeliveryWorker::WriteMetrics(MetricsText& out) const {
  out.Family("helpdesk_delivery_queue", "gauge",
             "Agents' messages this node is delivering to their channel's provider: sent and "
             "not yet recorded, or waiting for a retry.");
  out.Sample("helpdesk_delivery_queue", {},
             static_cast<double>(tracked_.load(std::memory_order_relaxed)));
  out.Family("helpdesk_delivery_attempts_total", "counter",
             "Attempts to deliver a message, by verdict: delivered, retry (failed, tried again "
             "later), gave_up (failed for good), no_channel (nowhere to send it).");
  const std::pair<const char*, const Counter*> verdicts[] = {{"delivered", &delivered_},
                                                             {"retry", &retried_},
                                                             {"gave_up", &given_up_},
                                                             {"no_channel", &unsent_}};
  for (const auto& [verdict, counter] : verdicts) {
    out.Sample("helpdesk_delivery_attempts_total", {{"verdict", verdict}},
               static_cast<double>(counter->Read()));
  }
}

void DeliveryWorker::Attempt(const nlohmann::json& item, Progress& progress) {
  const std::string conversation_id = item.value("conversation_id", "");
  const std::string message_id = item.value("message_id", "");
  conversation::DeliveryOutcome outcome;
  outcome.message_id = message_id;
  const auto channel = lookups_.FindChannel(item.value("channel_id", ""));
  if (!channel || channel->outbound_url.empty() || channel->outbound_secret.empty()) {
    // The channel was disconnected since (or its secret no longer opens): nowhere to send it,
    // and nothing unsigned goes out.
    outcome.attempts = progress.attempts;
    outcome.error = channel && !channel->outbound_url.empty()
                        ? "the channel's outbound secret cannot be opened with this node's key"
                        : "the channel has no outbound URL";
    progress.unrecorded = outcome;
    unsent_.Add();
    Record(conversation_id, progress);
    return;
  }
  OutboundMessage m;
  m.message_id = message_id;
  m.conversation_id = conversation_id;
  m.channel_id = channel->id;
  m.channel_type = channel->type;
  m.text = item.value("text", "");
  m.attachments = item.value("attachments", nlohmann::json::array());
  if (item.contains("template_id") && item["template_id"].is_string()) {
    m.template_id = item["template_id"].get<std::string>();
  }
  m.sent_at = item.value("sent_at", "");
  if (auto contact = lookups_.FindContactOf(conversation_id)) {
    m.to_phone = contact->phone;
    m.to_email = contact->email;
    m.to_name = contact->name;
  }
  const std::string body = DeliveryPayload(m).dump();
  ++progress.attempts;
  const std::map<std::string, std::string> headers{
      {"X-Helpdesk-Signature", "sha256=" + HmacSha256Hex(channel->outbound_secret, body)},
      {"X-Helpdesk-Delivery", message_id},
      {"X-Helpdesk-Attempt", std::to_string(progress.attempts)}};
  auto answer = poster_.Post(channel->outbound_url, headers, body, options_.timeout);
  const int status = answer.ok() ? answer.value() : 0;
  const std::string error =
      answer.ok() ? "the receiver answered HTTP " + std::to_string(status) : answer.error().message;
  switch (JudgeDelivery(status, progress.attempts, options_.max_attempts)) {
    case DeliveryVerdict::kRetry:
      retried_.Add();
      progress.next_attempt = Timestamp{
          clock_.Now().ms + DeliveryBackoff(progress.attempts, options_.backoff_base).count()};
      spdlog::info("delivery of {} failed (attempt {}): {}", message_id, progress.attempts, error);
      return;
    case DeliveryVerdict::kDelivered:
      delivered_.Add();
      outcome.delivered = true;
      break;
    case DeliveryVerdict::kGiveUp:
      given_up_.Add();
      outcome.error = error;
      spdlog::warn("delivery of {} failed for good after {} attempts: {}", message_id,
                   progress.attempts, error);
      break;
  }
  outcome.attempts = progress.attempts;
  outcome.http_status = status;
  progress.unrecorded = outcome;
  Record(conversation_id, progress);
}

void DeliveryWorker::Record(const std::string& conversation_id, Progress& progress) {
  auto recorded = commands_.Execute(Caller::System(),
                                    cmd::RecordDelivery{conversation_id, *progress.unrecorded});
  if (!recorded.ok()) {
    // Try again on a later pass; the message is not sent again.
    spdlog::warn("recording the delivery of {}: {}", progress.unrecorded->message_id,
                 recorded.error().message);
    progress.next_attempt = Timestamp{clock_.Now().ms + options_.backoff_base.count()};
    return;
  }
  progress.unrecorded.reset();
  progress.recorded = true;
}

}  // namespace helpdesk
