#include "projections/funnel_projector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "adapters/rocks_status.h"
#include "domain/events.h"
#include "domain/funnel.h"
#include "domain/histogram.h"
#include "domain/json_text.h"
#include "domain/report_rules.h"
#include "projections/conversation_projector.h"
#include "projections/period_cells.h"
#include "projections/report_cells.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

std::string IdOf(const std::string& stream) { return stream.substr(stream.find('/') + 1); }
json OrNull(const std::optional<std::string>& v) {
  return v && !v->empty() ? json(*v) : json(nullptr);
}
std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// --- Deal lists ---

std::string DealListKey(const std::string& scope, int64_t created_ms, const std::string& id) {
  std::string key = view_keys::kDealList + scope;
  key.push_back('\0');
  return key + EncodeBigEndian64(~static_cast<uint64_t>(created_ms)) + id;
}

std::set<std::string> DealScopes(const json& deal) {
  if (!deal.is_object()) return {};
  const std::string funnel = Str(deal, "funnel_id");
  std::set<std::string> scopes{
      kEveryDealScope, DealFunnelScope(funnel), DealStageScope(funnel, Str(deal, "stage_id")),
      DealContactScope(Str(deal, "contact_id")), DealStatusScope(Str(deal, "status"))};
  if (const std::string owner = Str(deal, "owner_id"); !owner.empty()) {
    scopes.insert(DealOwnerScope(owner));
  }
  return scopes;
}

DealListEntry EntryOf(const json& deal) {
  return {Str(deal, "funnel_id"),  Str(deal, "stage_id"), Str(deal, "owner_id"),
          Str(deal, "contact_id"), Str(deal, "status"),   Str(deal, "expected_close_on")};
}

int64_t CreatedMs(const json& deal) {
  const auto t = ParseRfc3339(Str(deal, "created_at"));
  return t ? t->ms : 0;
}

// Writes the deal and moves its list keys and counters from what `before` had.
void PutDeal(ViewTxn& txn, const json& before, const json& deal) {
  const std::string id = Str(deal, "id");
  const int64_t created = CreatedMs(deal);
  const std::set<std::string> old_scopes = DealScopes(before);
  const std::set<std::string> new_scopes = DealScopes(deal);
  for (const std::string& scope : old_scopes) {
    if (new_scopes.count(scope)) continue;
    txn.Delete(DealListKey(scope, created, id));
    txn.AddToCounter(view_keys::kDealCount + scope, -1);
  }
  const std::string entry = EncodeDealListEntry(EntryOf(deal));
  const bool entry_changed = !before.is_object() || EncodeDealListEntry(EntryOf(before)) != entry;
  for (const std::string& scope : new_scopes) {
    const bool is_new = !old_scopes.count(scope);
    if (is_new) txn.AddToCounter(view_keys::kDealCount + scope, +1);
    if (is_new || entry_changed) txn.Put(DealListKey(scope, created, id), entry);
  }
  txn.Put(view_keys::kDeal + id, DumpJson(deal));
}

// --- The board ---

std::string StagePart(const std::string& funnel, const std::string& stage) {
  std::string part = funnel;
  part.push_back('\0');
  part += stage;
  part.push_back('\0');
  return part;
}

std::string EntryPrefix(const std::string& funnel, const std::string& stage) {
  return view_keys::kBoardEntry + StagePart(funnel, stage);
}

// Where a member (a deal 'd' or a contact 'c') stands.
struct Standing {
  std::string funnel, stage;
  int64_t entered_ms = 0;
};

std::string MemberKey(char kind, const std::string& id) {
  return std::string(view_keys::kBoardMember) + kind + "/" + id;
}

std::optional<Standing> StandingOf(ViewTxn& txn, char kind, const std::string& id) {
  auto value = txn.Get(MemberKey(kind, id));
  if (!value) return std::nullopt;
  const size_t a = value->find('\0');
  const size_t b = a == std::string::npos ? a : value->find('\0', a + 1);
  if (b == std::string::npos || value->size() != b + 9) return std::nullopt;
  return Standing{value->substr(0, a), value->substr(a + 1, b - a - 1),
                  static_cast<int64_t>(DecodeBigEndian64(value->data() + b + 1))};
}

// A change of one stage's board at `at`: its counts and value, who stands there first, then
// its history row. `entered`/`left`: the entry key a member added or removed (or "").
void ChangeStage(ViewTxn& txn, const std::string& funnel, const std::string& stage, int64_t deals,
                 int64_t value_thousandths, int64_t contacts, Timestamp at, uint64_t position,
                 const std::string& entered = "", const std::string& left = "") {
  const std::string key = BoardStageKey(funnel, stage);
  const auto stored = txn.Get(key);
  StageBoard board = stored ? DecodeStageBoard(*stored) : StageBoard{};
  board.deals += deals;
  board.contacts += contacts;
  board.value_thousandths += value_thousandths;
  const std::string prefix = EntryPrefix(funnel, stage);
  auto entry_ms = [&](const std::string& entry) {
    return static_cast<int64_t>(DecodeBigEndian64(entry.data() + prefix.size()));
  };
  if (!entered.empty() && (board.oldest_ms < 0 || entry_ms(entered) < board.oldest_ms)) {
    board.oldest_ms = entry_ms(entered);
  }
  if (!left.empty() && entry_ms(left) <= board.oldest_ms) {
    // The first one left: the next is at or after its instant (the keys before were gone).
    auto next = txn.FirstKeyAtOrAfter(prefix, left.substr(0, prefix.size() + 8));
    board.oldest_ms = next ? entry_ms(*next) : -1;
  }
  const int64_t row_ms = std::max(at.ms, board.last_row_ms);
  board.last_row_ms = row_ms;
  txn.Put(key, EncodeStageBoard(board));
  txn.Put(BoardHistoryPrefix(funnel, stage) + EncodeBigEndian64(static_cast<uint64_t>(row_ms)) +
              EncodeBigEndian64(position),
          EncodeStageBoard(board));
}

std::string EntryKey(const std::string& funnel, const std::string& stage, int64_t entered_ms,
                     char kind, const std::string& id) {
  return EntryPrefix(funnel, stage) + EncodeBigEndian64(static_cast<uint64_t>(entered_ms)) + kind +
         id;
}

void Enter(ViewTxn& txn, char kind, const std::string& id, const std::string& funnel,
           const std::string& stage, double value, Timestamp at, uint64_t position) {
  if (stage.empty()) return;
  std::string standing = funnel;
  standing.push_back('\0');
  standing += stage;
  standing.push_back('\0');
  txn.Put(MemberKey(kind, id), standing + EncodeBigEndian64(static_cast<uint64_t>(at.ms)));
  const std::string entry = EntryKey(funnel, stage, at.ms, kind, id);
  txn.Put(entry, "");
  ChangeStage(txn, funnel, stage, kind == 'd' ? 1 : 0, DealValueThousandths(value),
              kind == 'c' ? 1 : 0, at, position, entry);
}

std::optional<Standing> Leave(ViewTxn& txn, char kind, const std::string& id, double value,
                              Timestamp at, uint64_t position) {
  auto standing = StandingOf(txn, kind, id);
  if (!standing) return std::nullopt;
  txn.Delete(MemberKey(kind, id));
  const std::string entry =
      EntryKey(standing->funnel, standing->stage, standing->entered_ms, kind, id);
  txn.Delete(entry);
  ChangeStage(txn, standing->funnel, standing->stage, kind == 'd' ? -1 : 0,
              -DealValueThousandths(value), kind == 'c' ? -1 : 0, at, position, "", entry);
  return standing;
}

// --- The funnel report ---

// A stage's measure in the funnel's report cells (period_cells.h): <stage>\0<measure>.
std::string StageMeasure(const std::string& stage, const std::string& measure) {
  std::string key = stage;
  key.push_back('\0');
  return key + measure;
}

CellPrefix FunnelCells(const std::string& funnel) {
  return [funnel](char grain) { return FunnelReportPrefix(funnel, grain); };
}

// Adds one to a measure of a stage (or `amount` to the won value) in both cells of `at`.
void Measure(ViewTxn& txn, const std::string& funnel, Timestamp at, const std::string& stage,
             const std::string& measure, int64_t amount = 1) {
  AddToPeriodCells(txn, FunnelCells(funnel), at, StageMeasure(stage, measure), amount);
}

// Adds a stay of `seconds` that ended at `at` to both cells' histograms of `stage`.
void AddStay(ViewTxn& txn, const std::string& funnel, Timestamp at, const std::string& stage,
             int64_t seconds) {
  AddDurationToPeriodCells(txn, FunnelCells(funnel), at, StageMeasure(stage, "h"), seconds);
}

// The report's share of a deal entering `to` (from `from`, "" when created there): what the
// events say (status, moved_on), not the funnel's views, so the order partitions are read in
// does not matter.
void ReportMove(ViewTxn& txn, const std::string& funnel_id, const std::string& from,
                const std::optional<Standing>& left, const std::string& to, double value,
                const std::string& status, bool moved_on, Timestamp at) {
  Measure(txn, funnel_id, at, to, "e");
  if (!from.empty()) {
    if (moved_on) Measure(txn, funnel_id, at, from, "m");
    if (status == "won") Measure(txn, funnel_id, at, from, "w");
    if (status == "lost") Measure(txn, funnel_id, at, from, "l");
    if (left) AddStay(txn, funnel_id, at, from, (at.ms - left->entered_ms) / 1000);
  }
  if (status == "won") Measure(txn, funnel_id, at, "", "wv", DealValueThousandths(value));
}

// --- Events ---

void ApplyFunnel(const RecordedEvent& r, const events::FunnelDefined& f, ViewTxn& txn) {
  const std::string key = view_keys::kFunnel + f.funnel_id;
  const json before = LoadJson(txn, key);
  const std::string at = FormatRfc3339(r.event.at);
  json funnel{{"id", f.funnel_id},
              {"name", f.name},
              {"stages", f.stages},
              {"created_at", before.is_object() ? before.value("created_at", at) : at},
              {"updated_at", at},
              {"version", r.stream_version}};
  txn.Put(key, DumpJson(funnel));
}

void ApplyDeal(const RecordedEvent& r, const std::optional<events::Event>& event, ViewTxn& txn) {
  const NewEvent& e = r.event;
  const std::string id = IdOf(e.stream);
  const json before = LoadJson(txn, view_keys::kDeal + id);
  json deal = before.is_object() ? before : json::object();
  const std::string at = FormatRfc3339(e.at);
  std::string funnel = Str(deal, "funnel_id");
  if (const auto* c = events::As<events::DealCreated>(event)) {
    if (before.is_object()) return;  // a malformed log: a deal is created once
    deal = {{"id", id},
            {"title", c->title},
            {"contact_id", c->contact_id},
            {"funnel_id", c->funnel_id},
            {"stage_id", c->stage_id},
            {"status", c->status},
            {"value", c->value},
            {"currency", c->currency},
            {"owner_id", OrNull(c->owner_id)},
            {"conversation_id", OrNull(c->conversation_id)},
            {"expected_close_on", OrNull(c->expected_close_on)},
            {"lost_reason", nullptr},
            {"created_by", e.actor.id},
            {"created_at", at},
            {"stage_entered_at", at}};
    Enter(txn, 'd', id, c->funnel_id, c->stage_id, c->value, e.at, r.position);
    ReportMove(txn, c->funnel_id, "", std::nullopt, c->stage_id, c->value, c->status, false, e.at);
  } else if (!before.is_object()) {
    return;  // an event of a deal never created: nothing to show it on
  } else if (const auto* u = events::As<events::DealUpdated>(event)) {
    if (u->title) deal["title"] = *u->title;
    if (u->currency) deal["currency"] = *u->currency;
    if (u->owner_id) deal["owner_id"] = OrNull(u->owner_id);
    if (u->expected_close_on) deal["expected_close_on"] = OrNull(u->expected_close_on);
    if (u->value) {
      const int64_t delta =
          DealValueThousandths(*u->value) - DealValueThousandths(deal.value("value", 0.0));
      deal["value"] = *u->value;
      if (auto standing = StandingOf(txn, 'd', id)) {
        ChangeStage(txn, standing->funnel, standing->stage, 0, delta, 0, e.at, r.position);
      }
    }
  } else if (const auto* m = events::As<events::DealMoved>(event)) {
    const double value = deal.value("value", 0.0);
    const auto left = Leave(txn, 'd', id, value, e.at, r.position);
    Enter(txn, 'd', id, funnel, m->to, value, e.at, r.position);
    ReportMove(txn, funnel, m->from, left, m->to, value, m->status, m->moved_on, e.at);
    deal["stage_id"] = m->to;
    deal["status"] = m->status;
    deal["lost_reason"] = m->status == "lost" ? OrNull(m->reason) : json(nullptr);
    deal["stage_entered_at"] = at;
  } else if (const auto* o = events::As<events::DealReopened>(event)) {
    const double value = deal.value("value", 0.0);
    const auto left = Leave(txn, 'd', id, value, e.at, r.position);
    Enter(txn, 'd', id, funnel, o->to, value, e.at, r.position);
    ReportMove(txn, funnel, o->from, left, o->to, value, "open", false, e.at);
    deal["stage_id"] = o->to;
    deal["status"] = "open";
    deal["lost_reason"] = nullptr;
    deal["stage_entered_at"] = at;
  } else {
    return;
  }
  deal["updated_at"] = at;
  deal["version"] = r.stream_version;
  PutDeal(txn, before, deal);
  const std::string contact = Str(deal, "contact_id");
  if (!contact.empty()) {
    txn.Put(ContactTimelineKey(contact, e.at, r.position), TimelineItem(r, /*with_stream=*/true));
  }
}

void ApplyContact(const RecordedEvent& r, const std::optional<events::Event>& event, ViewTxn& txn) {
  const NewEvent& e = r.event;
  const std::string id = IdOf(e.stream);
  if (const auto* c = events::As<events::ContactCreated>(event)) {
    Enter(txn, 'c', id, kDefaultFunnelId, c->stage, 0, e.at, r.position);
  } else if (const auto* s = events::As<events::ContactStageChanged>(event)) {
    if (s->to.empty()) return;
    Leave(txn, 'c', id, 0, e.at, r.position);
    Enter(txn, 'c', id, s->funnel_id, s->to, 0, e.at, r.position);
  } else if (const auto* m = events::As<events::ContactsMerged>(event)) {
    // The duplicate leaves the board; its deals become the survivor's.
    Leave(txn, 'c', m->from, 0, e.at, r.position);
    std::string prefix = view_keys::kDealList + DealContactScope(m->from);
    prefix.push_back('\0');
    for (const std::string& key : txn.KeysWithPrefix(prefix)) {
      if (key.size() <= prefix.size() + 8) continue;
      const std::string deal_id = key.substr(prefix.size() + 8);
      const json before = LoadJson(txn, view_keys::kDeal + deal_id);
      if (!before.is_object()) continue;
      json deal = before;
      deal["contact_id"] = id;
      PutDeal(txn, before, deal);
    }
  }
}

}  // namespace

std::string EncodeDealListEntry(const DealListEntry& d) {
  std::string out;
  for (const std::string* part :
       {&d.funnel_id, &d.stage_id, &d.owner_id, &d.contact_id, &d.status, &d.expected_close_on}) {
    out += *part;
    out.push_back('\0');
  }
  return out;
}

DealListEntry DecodeDealListEntry(std::string_view value) {
  DealListEntry d;
  std::string* parts[] = {&d.funnel_id,  &d.stage_id, &d.owner_id,
                          &d.contact_id, &d.status,   &d.expected_close_on};
  size_t start = 0;
  for (std::string* part : parts) {
    const size_t end = value.find('\0', start);
    if (end == std::string_view::npos) break;
    *part = std::string(value.substr(start, end - start));
    start = end + 1;
  }
  return d;
}

std::string EncodeStageBoard(const StageBoard& board) {
  return EncodeBigEndian64(static_cast<uint64_t>(board.deals)) +
         EncodeBigEndian64(static_cast<uint64_t>(board.contacts)) +
         EncodeBigEndian64(static_cast<uint64_t>(board.value_thousandths)) +
         EncodeBigEndian64(static_cast<uint64_t>(board.oldest_ms)) +
         EncodeBigEndian64(static_cast<uint64_t>(board.last_row_ms));
}

StageBoard DecodeStageBoard(std::string_view value) {
  StageBoard board;
  if (value.size() != 40) return board;
  board.deals = static_cast<int64_t>(DecodeBigEndian64(value.data()));
  board.contacts = static_cast<int64_t>(DecodeBigEndian64(value.data() + 8));
  board.value_thousandths = static_cast<int64_t>(DecodeBigEndian64(value.data() + 16));
  board.oldest_ms = static_cast<int64_t>(DecodeBigEndian64(value.data() + 24));
  board.last_row_ms = static_cast<int64_t>(DecodeBigEndian64(value.data() + 32));
  return board;
}

std::string BoardStageKey(const std::string& funnel, const std::string& stage) {
  std::string key = view_keys::kBoardStage + funnel;
  key.push_back('\0');
  return key + stage;
}

std::string BoardHistoryPrefix(const std::string& funnel, const std::string& stage) {
  return view_keys::kBoardHistory + StagePart(funnel, stage);
}

std::string FunnelReportPrefix(const std::string& funnel, char grain) {
  std::string key = view_keys::kFunnelReport + funnel;
  key.push_back('\0');
  key.push_back(grain);
  return key;
}

void FunnelProjector::Apply(const RecordedEvent& r, const std::optional<events::Event>& event,
                            ViewTxn& txn) const {
  if (!event) return;
  const std::string& stream = r.event.stream;
  if (stream.starts_with("deal/")) {
    ApplyDeal(r, event, txn);
  } else if (stream.starts_with("contact/")) {
    ApplyContact(r, event, txn);
  } else if (const auto* f = events::As<events::FunnelDefined>(event)) {
    ApplyFunnel(r, *f, txn);
  }
}

}  // namespace helpdesk
