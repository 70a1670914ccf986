// DeliveryWorker: sends agents' public messages to their channel's provider (the channel's
// outbound URL), signed, retried with backoff, and records the outcome as MessageDelivered or
// MessageFailed (domain/delivery.h has the rules). It works from the delivery queue view, so a
// restart picks up whatever was not yet delivered.
//
// On a cluster every node runs one, and each delivers only the conversations whose stream its
// decider owns: one sender per message while the cluster is stable. Delivery is at least once;
// receivers drop repeats by X-Helpdesk-Delivery.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "adapters/clock.h"
#include "adapters/http_poster.h"
#include "adapters/metrics.h"
#include "commands/command_service.h"
#include "domain/delivery.h"
#include "projections/view_queries.h"

namespace helpdesk {

struct DeliveryOptions {
  std::chrono::milliseconds backoff_base{1000};  // first wait after a failed attempt
  int max_attempts = kMaxDeliveryAttempts;
  std::chrono::milliseconds timeout{10000};  // per attempt
  std::chrono::milliseconds poll{200};       // how often the queue is looked at
};

class DeliveryWorker {
 public:
  // `commands` records outcomes; `lookups` gives channels' URLs and secrets and contacts;
  // `owns(stream)` says whether this node delivers for that conversation stream. Retries wait
  // on `clock` (the node's Env), so tests drive the backoff with a manual clock.
  DeliveryWorker(Commands& commands, const CommandService& lookups, const ViewQueries& queries,
                 HttpPoster& poster, OwnsStream owns, const Clock& clock, DeliveryOptions options);
  ~DeliveryWorker();
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  void Start();
  // One pass over the queue: every message due for an attempt gets one.
  void RunOnce();
  // helpdesk_delivery_queue (messages this node is delivering) and
  // helpdesk_delivery_attempts_total{verdict}. Any thread.
  void WriteMetrics(MetricsText& out) const;

 private:
  struct Progress {
    std::string conversation_id;
    int attempts = 0;
    Timestamp next_attempt;
    // Decided but not yet recorded (the log was away): record again, never send again.
    std::optional<conversation::DeliveryOutcome> unrecorded;
    bool recorded = false;  // waiting for the queue view to drop it
  };
  void Attempt(const nlohmann::json& item, Progress& progress);
  void Record(const std::string& conversation_id, Progress& progress);

  Commands& commands_;
  const CommandService& lookups_;
  const ViewQueries& queries_;
  HttpPoster& poster_;
  const OwnsStream owns_;
  const Clock& clock_;
  const DeliveryOptions options_;
  std::map<std::string, Progress> progress_;  // by message id; the worker's thread only
  std::atomic<size_t> tracked_{0};            // progress_.size() after the last pass
  Counter delivered_, retried_, given_up_, unsent_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace helpdesk
