#include "projections/report_projector.h"

#include <vector>

namespace helpdesk {
namespace {

ReportTotals TotalsOf(const ReportMeasure& m) {
  ReportTotals t;
  t.received = m.received;
  t.opened = m.opened;
  t.closed = m.closed;
  t.reopened = m.reopened;
  if (m.first_response_seconds) t.first_response.Add(*m.first_response_seconds);
  if (m.resolution_seconds) t.resolution.Add(*m.resolution_seconds);
  if (m.close_reason) t.close_reasons[*m.close_reason] += 1;
  return t;
}

bool CountsForConversations(const ReportMeasure& m) {
  return m.received || m.opened || m.closed || m.reopened || m.first_response_seconds ||
         m.resolution_seconds;
}

}  // namespace

template <class T>
T& ReportAccumulator::Cell(std::unordered_map<std::string, T>& cells, std::string key) {
  auto it = cells.find(key);
  if (it != cells.end()) return it->second;
  T cell;
  if (auto stored = stored_ ? stored_->Get(key) : std::nullopt) {
    if (!DecodeCell(*stored, &cell)) cell = T();  // damaged: start the cell again
  }
  return cells.emplace(std::move(key), std::move(cell)).first->second;
}

template <class T>
void ReportAccumulator::FlushAll(std::unordered_map<std::string, T>& cells, ViewTxn& txn) {
  for (const auto& [key, cell] : cells) txn.Put(key, EncodeCell(cell));
  cells.clear();
}

size_t ReportAccumulator::TallyKeyHash::operator()(const TallyKey& k) const {
  size_t h = std::hash<int64_t>()(k.slot);
  h = h * 31 + std::hash<std::string>()(k.channel_id);
  if (k.team_id) h = h * 31 + std::hash<std::string>()(*k.team_id);
  return h;
}

void ReportAccumulator::Add(const ReportMeasure& m) {
  Tally& tally = tallies_[TallyKey{SlotOf(m.at), m.channel_id, m.team_id}];
  if (CountsForConversations(m)) {
    tally.conversations = true;
    tally.totals.Merge(TotalsOf(m));
  }
  if (m.agent_id) {
    AgentTotals agent;
    agent.assigned = m.assigned;
    agent.closed = m.agent_closed;
    agent.replies = m.replies;
    // The first response is the replying agent's.
    if (m.first_response_seconds && m.replies) agent.first_response.Add(*m.first_response_seconds);
    if (!(agent == AgentTotals())) tally.agents[*m.agent_id].Merge(agent);
  }
  if (m.tagged) tally.tags[*m.tagged].tagged += 1;
  for (const std::string& tag : m.closed_tags) tally.tags[tag].closed += 1;
}

void ReportAccumulator::Spread(const TallyKey& key, const Tally& tally) {
  std::vector<ReportDimension> dimensions = {{}, {key.channel_id, std::nullopt}};
  if (key.team_id) {
    dimensions.push_back({std::nullopt, key.team_id});
    dimensions.push_back({key.channel_id, key.team_id});
  }
  for (const ReportDimension& d : dimensions) {
    for (const ReportGrain grain : {ReportGrain::kSlot, ReportGrain::kDay}) {
      const int64_t index = grain == ReportGrain::kSlot ? key.slot : DayOfSlot(key.slot);
      if (tally.conversations) {
        Cell(totals_, ReportKey(ReportSection::kTotals, grain, d, index)).Merge(tally.totals);
        Cell(by_channel_, ReportKey(ReportSection::kChannels, grain, d, index))[key.channel_id]
            .Merge(tally.totals);
        if (key.team_id) {
          Cell(by_team_, ReportKey(ReportSection::kTeams, grain, d, index))[*key.team_id].Merge(
              tally.totals);
        }
      }
      if (!tally.agents.empty()) {
        auto& agents = Cell(agents_, ReportKey(ReportSection::kAgents, grain, d, index));
        for (const auto& [agent, totals] : tally.agents) agents[agent].Merge(totals);
      }
      if (!tally.tags.empty()) {
        auto& tags = Cell(tags_, ReportKey(ReportSection::kTags, grain, d, index));
        for (const auto& [tag, totals] : tally.tags) tags[tag].Merge(totals);
      }
    }
  }
}

void ReportAccumulator::Flush(ViewTxn& txn) {
  for (const auto& [key, tally] : tallies_) Spread(key, tally);
  tallies_.clear();
  FlushAll(totals_, txn);
  FlushAll(agents_, txn);
  FlushAll(by_team_, txn);
  FlushAll(by_channel_, txn);
  FlushAll(tags_, txn);
}

}  // namespace helpdesk
