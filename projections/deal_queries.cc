#include "projections/deal_queries.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <memory>

#include "adapters/rocks_status.h"
#include "domain/funnel.h"
#include "domain/histogram.h"
#include "domain/report_rules.h"
#include "projections/conversation_projector.h"
#include "projections/funnel_projector.h"
#include "projections/period_cells.h"
#include "projections/report_cells.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

json DefaultFunnelJson() {
  const FunnelState& f = DefaultFunnel();
  json stages = json::array();
  for (const FunnelStage& s : f.stages) stages.push_back(s);
  return {{"id", f.id},
          {"name", f.name},
          {"stages", stages},
          {"created_at", nullptr},
          {"updated_at", nullptr},
          {"version", 0}};
}

// The scopes the filters name, in the order a list prefers them (narrowest kinds first).
std::vector<std::string> NamedScopes(const DealFilter& f) {
  std::vector<std::string> named;
  if (f.contact) named.push_back(DealContactScope(*f.contact));
  if (f.owner) named.push_back(DealOwnerScope(*f.owner));
  if (f.stage) named.push_back(DealStageScope(f.funnel.value_or(kDefaultFunnelId), *f.stage));
  if (f.funnel && !f.stage) named.push_back(DealFunnelScope(*f.funnel));
  if (f.status) named.push_back(DealStatusScope(*f.status));
  return named;
}

bool Passes(const DealFilter& f, const DealListEntry& d) {
  if (f.contact && d.contact_id != *f.contact) return false;
  if (f.owner && d.owner_id != *f.owner) return false;
  if (f.funnel && d.funnel_id != *f.funnel) return false;
  if (f.stage && (d.stage_id != *f.stage || d.funnel_id != f.funnel.value_or(kDefaultFunnelId))) {
    return false;
  }
  if (f.status && d.status != *f.status) return false;
  return true;
}

std::string ListPrefix(const std::string& scope) {
  std::string prefix = view_keys::kDealList + scope;
  prefix.push_back('\0');
  return prefix;
}

}  // namespace

std::vector<json> DealQueries::Funnels() const {
  std::vector<json> out;
  bool has_default = false;
  std::unique_ptr<rocksdb::Iterator> it(views_.db()->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(view_keys::kFunnel); it->Valid() && it->key().starts_with(view_keys::kFunnel);
       it->Next()) {
    json f = json::parse(it->value().ToString(), nullptr, false);
    if (!f.is_object()) continue;
    has_default = has_default || f.value("id", "") == kDefaultFunnelId;
    out.push_back(std::move(f));
  }
  if (!has_default) {
    // Ids sort; "default" takes its place among them.
    json d = DefaultFunnelJson();
    auto at = std::find_if(out.begin(), out.end(), [](const json& f) {
      return f.value("id", "") > std::string(kDefaultFunnelId);
    });
    out.insert(at, std::move(d));
  }
  return out;
}

std::optional<json> DealQueries::Funnel(const std::string& id) const {
  if (auto f = views_.GetObject(view_keys::kFunnel + id)) return f;
  if (id == kDefaultFunnelId) return DefaultFunnelJson();
  return std::nullopt;
}

std::optional<json> DealQueries::Deal(const std::string& id) const {
  return views_.GetObject(view_keys::kDeal + id);
}

Result<DealPage> DealQueries::List(const DealFilter& filter,
                                   const std::optional<std::string>& cursor, size_t limit) const {
  const std::vector<std::string> named = NamedScopes(filter);
  const std::string scope = named.empty() ? kEveryDealScope : named.front();
  const std::string prefix = ListPrefix(scope);
  std::optional<std::string> after;
  if (cursor) {
    after = DecodeCursor(*cursor);
    if (!after || !after->starts_with(prefix)) {
      return InvalidField("cursor", "is not a cursor of this list");
    }
  }
  DealPage out;
  const bool only_scope = named.size() <= 1;
  rocksdb::ReadOptions options;
  options.snapshot = views_.db()->GetSnapshot();
  std::unique_ptr<rocksdb::Iterator> it(views_.db()->NewIterator(options));
  std::string items = "[";
  size_t taken = 0;
  std::string last;
  bool more = false;
  for (it->Seek(after ? *after : prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    const std::string key = it->key().ToString();
    if (after && key == *after) continue;
    if (!only_scope && !Passes(filter, DecodeDealListEntry(it->value().ToString()))) continue;
    if (taken == limit) {
      more = true;
      break;
    }
    std::string deal;
    if (!views_.db()->Get(options, view_keys::kDeal + key.substr(prefix.size() + 8), &deal).ok()) {
      continue;
    }
    if (taken > 0) items += ",";
    items += deal;
    ++taken;
    last = key;
  }
  items += "]";
  out.page.items_json = std::move(items);
  if (more) out.page.next_cursor = EncodeCursor(last);
  if (only_scope) {
    std::string counter;
    if (views_.db()->Get(options, view_keys::kDealCount + scope, &counter).ok()) {
      out.total = ReadCounter(counter);
    }
  } else {
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (Passes(filter, DecodeDealListEntry(it->value().ToString()))) ++out.total;
    }
  }
  it.reset();
  views_.db()->ReleaseSnapshot(options.snapshot);
  return out;
}

json DealQueries::Board(const json& funnel, std::optional<Timestamp> as_of) const {
  const std::string funnel_id = funnel.value("id", "");
  json stages = json::array();
  std::unique_ptr<rocksdb::Iterator> it(views_.db()->NewIterator(rocksdb::ReadOptions()));
  const json defined = funnel.value("stages", json::array());
  for (const auto& stage : defined) {
    if (!stage.is_object()) continue;
    const std::string stage_id = stage.value("id", "");
    StageBoard row;
    if (!as_of) {
      // As it stands: the stage's own board.
      if (auto stored = views_.Get(BoardStageKey(funnel_id, stage_id))) {
        row = DecodeStageBoard(*stored);
      }
    } else {
      // As it was: the stage's last history row at or before the instant.
      const std::string history = BoardHistoryPrefix(funnel_id, stage_id);
      const std::string bound =
          history + EncodeBigEndian64(static_cast<uint64_t>(std::max<int64_t>(as_of->ms, 0))) +
          std::string(8, '\xff');
      it->SeekForPrev(bound);
      if (it->Valid() && it->key().starts_with(history)) {
        row = DecodeStageBoard(std::string_view(it->value().data(), it->value().size()));
      }
    }
    stages.push_back(
        {{"stage_id", stage_id},
         {"name", stage.value("name", "")},
         {"kind", stage.value("kind", "open")},
         {"deals", row.deals},
         {"value", DealValueFromThousandths(row.value_thousandths)},
         {"contacts", row.contacts},
         {"oldest_entered_at",
          row.oldest_ms >= 0 ? json(FormatRfc3339(Timestamp{row.oldest_ms})) : json()}});
  }
  return {{"funnel_id", funnel_id},
          {"as_of", as_of ? json(FormatRfc3339(*as_of)) : json()},
          {"stages", stages}};
}

json DealQueries::Report(const json& funnel, Timestamp from, Timestamp to) const {
  const std::string funnel_id = funnel.value("id", "");
  struct StageSums {
    int64_t entered = 0, moved_on = 0, won = 0, lost = 0;
    LatencyHistogram time_in_stage;
  };
  std::map<std::string, StageSums> sums;
  int64_t won_thousandths = 0;
  // One measure: <stage>\0<measure> after the cell's prefix and index; its stored value.
  auto add = [&](std::string_view measure_key, std::string_view value) {
    const size_t zero = measure_key.find('\0');
    if (zero == std::string_view::npos) return;
    const std::string stage(measure_key.substr(0, zero));
    const std::string_view measure = measure_key.substr(zero + 1);
    if (measure == "h") {
      std::map<uint32_t, uint64_t> buckets;
      DecodeDurations(value, &buckets);
      StageSums& s = sums[stage];
      for (const auto& [bucket, count] : buckets) s.time_in_stage.AddToBucket(bucket, count);
      return;
    }
    const int64_t n = ReadCounter(std::string(value));
    if (stage.empty()) {
      if (measure == "wv") won_thousandths += n;
      return;
    }
    StageSums& s = sums[stage];
    if (measure == "e") {
      s.entered += n;
    } else if (measure == "m") {
      s.moved_on += n;
    } else if (measure == "w") {
      s.won += n;
    } else if (measure == "l") {
      s.lost += n;
    }
  };
  SumPeriodCells(
      views_, [&](char grain) { return FunnelReportPrefix(funnel_id, grain); }, from, to, add);
  json stages = json::array();
  const json defined = funnel.value("stages", json::array());
  for (const auto& stage : defined) {
    if (!stage.is_object()) continue;
    const std::string stage_id = stage.value("id", "");
    const StageSums& s = sums[stage_id];
    const auto median = s.time_in_stage.Quantile(0.5);
    stages.push_back(
        {{"stage_id", stage_id},
         {"entered", s.entered},
         {"moved_on", s.moved_on},
         {"won", s.won},
         {"lost", s.lost},
         {"conversion", s.entered > 0 ? json(static_cast<double>(s.moved_on) / s.entered) : json()},
         {"median_time_in_stage_s", median ? json(*median) : json()}});
  }
  return {{"funnel_id", funnel_id},
          {"won_value", DealValueFromThousandths(won_thousandths)},
          {"stages", stages}};
}

std::vector<json> DealQueries::DealsToClose(const std::string& owner_id,
                                            const std::string& date) const {
  std::vector<json> out;
  const std::string prefix = ListPrefix(DealOwnerScope(owner_id));
  std::unique_ptr<rocksdb::Iterator> it(views_.db()->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const DealListEntry entry = DecodeDealListEntry(it->value().ToString());
    if (entry.status != "open" || entry.expected_close_on.empty() ||
        entry.expected_close_on > date) {
      continue;
    }
    if (auto deal = Deal(it->key().ToString().substr(prefix.size() + 8))) {
      out.push_back(std::move(*deal));
    }
  }
  return out;
}

}  // namespace helpdesk
