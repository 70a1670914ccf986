// GET /metrics: what this node measures about itself, in Prometheus' text format. Every series
// is listed in docs/operations.md.
#include <spdlog/spdlog.h>

#include "adapters/random_ids.h"
#include "api/app.h"
#include "api/delivery_worker.h"
#include "api/json_io.h"

namespace helpdesk {

Status App::AuthorizeMetrics(const HttpRequest& request) const {
  // The scraper's own token first: a digest compared in constant time, nothing else looked up.
  const std::optional<std::string> bearer = BearerTokenDigest(request);
  if (bearer && !metrics_token_sha256_.empty() &&
      ConstantTimeEquals(*bearer, metrics_token_sha256_)) {
    return Status::Ok();
  }
  auto caller = Authenticate(request);
  if (!caller.ok()) return caller.error();
  if (caller.value().role != Role::kAdmin) {
    return Forbidden("the metrics are for admins and the metrics token");
  }
  return Status::Ok();
}

HttpResponse App::Metrics() const {
  MetricsText out;
  http_metrics_.WriteMetrics(out);
  commands_.WriteMetrics(out);

  out.Family("helpdesk_live_streams", "gauge", "Live-feed streams (GET /api/v1/stream) open now.");
  out.Sample("helpdesk_live_streams", {}, static_cast<double>(stream_slots_->Open()));

  // Where the log ends and how far this node's views have applied it, per partition.
  const ConsistencyToken head = log_.Head();
  const ConsistencyToken applied = projections_.Applied();
  out.Family("helpdesk_log_head", "gauge",
             "Events in the log, per partition (the next event's position), as this node sees it.");
  for (const auto& [partition, position] : head.offsets()) {
    out.Sample("helpdesk_log_head", {{"partition", std::to_string(partition)}},
               static_cast<double>(position));
  }
  out.Family("helpdesk_views_applied", "gauge",
             "Events of the log this node's views include, per partition.");
  uint64_t lag = 0;
  for (const auto& [partition, position] : head.offsets()) {
    const uint64_t at = applied.At(partition);
    out.Sample("helpdesk_views_applied", {{"partition", std::to_string(partition)}},
               static_cast<double>(at));
    if (position > at) lag += position - at;
  }
  out.Family("helpdesk_views_lag_events", "gauge",
             "Events in the log this node's views do not include yet. One projector writes every "
             "view in the same batch, so every view has this lag.");
  out.Sample("helpdesk_views_lag_events", {}, static_cast<double>(lag));

  out.Family("helpdesk_log_append_duration_seconds", "histogram",
             "Time from a decision's events handed to the log to their append settled (durable "
             "or refused), for the commands this node decided.");
  out.Histogram("helpdesk_log_append_duration_seconds", {}, lookups_.append_duration().Read());

  const CommandService::WriteModelStats model = lookups_.write_model_stats();
  out.Family("helpdesk_write_model_cache_hits_total", "counter",
             "Records of conversations, contacts and other streams the write model found in "
             "memory.");
  out.Sample("helpdesk_write_model_cache_hits_total", {}, static_cast<double>(model.cache_hits));
  out.Family("helpdesk_write_model_store_reads_total", "counter",
             "Records the write model read from its store (cache misses).");
  out.Sample("helpdesk_write_model_store_reads_total", {}, static_cast<double>(model.store_reads));
  out.Family("helpdesk_write_model_cached_bytes", "gauge",
             "Estimated memory of the clean records the write model holds.");
  out.Sample("helpdesk_write_model_cached_bytes", {}, static_cast<double>(model.cached_bytes));
  out.Family("helpdesk_write_model_unflushed_records", "gauge",
             "Records changed since the write model's last flush to its store.");
  out.Sample("helpdesk_write_model_unflushed_records", {},
             static_cast<double>(model.unflushed_records));

  if (delivery_) delivery_->WriteMetrics(out);

  HttpResponse response;
  response.status = 200;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = out.text();
  return response;
}

}  // namespace helpdesk
