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
  if (auto stored = txn_.Get(key)) {
    if (!DecodeCell(*stored, &cell)) cell = T();  // damaged: start the cell again
  }
  return cells.emplace(std::move(key), std::move(cell)).first->second;
}

template <class T>
void ReportAccumulator::FlushAll(std::unordered_map<std::string, T>& cells) {
  for (const auto& [key, cell] : cells) txn_.Put(key, EncodeCell(cell));
  cells.clear();
}

void ReportAccumulator::Add(const ReportMeasure& m) {
  const int64_t slot = SlotOf(m.at);
  std::vector<ReportDimension> dimensions = {{}, {m.channel_id, std::nullopt}};
  if (m.team_id) {
    dimensions.push_back({std::nullopt, m.team_id});
    dimensions.push_back({m.channel_id, m.team_id});
  }
  const bool conversations = CountsForConversations(m);
  const ReportTotals totals = conversations ? TotalsOf(m) : ReportTotals();
  AgentTotals agent;
  if (m.agent_id) {
    agent.assigned = m.assigned;
    agent.closed = m.agent_closed;
    agent.replies = m.replies;
    // The first response is the replying agent's.
    if (m.first_response_seconds && m.replies) agent.first_response.Add(*m.first_response_seconds);
  }
  const bool agents = m.agent_id && !(agent == AgentTotals());
  const bool tagged = m.tagged || !m.closed_tags.empty();
  for (const ReportDimension& d : dimensions) {
    for (const ReportGrain grain : {ReportGrain::kSlot, ReportGrain::kDay}) {
      const int64_t index = grain == ReportGrain::kSlot ? slot : DayOfSlot(slot);
      if (conversations) {
        Cell(totals_, ReportKey(ReportSection::kTotals, grain, d, index)).Merge(totals);
        Cell(by_channel_, ReportKey(ReportSection::kChannels, grain, d, index))[m.channel_id].Merge(
            totals);
        if (m.team_id) {
          Cell(by_team_, ReportKey(ReportSection::kTeams, grain, d, index))[*m.team_id].Merge(
              totals);
        }
      }
      if (agents) {
        Cell(agents_, ReportKey(ReportSection::kAgents, grain, d, index))[*m.agent_id].Merge(agent);
      }
      if (tagged) {
        auto& tags = Cell(tags_, ReportKey(ReportSection::kTags, grain, d, index));
        if (m.tagged) tags[*m.tagged].tagged += 1;
        for (const std::string& tag : m.closed_tags) tags[tag].closed += 1;
      }
    }
  }
}

void ReportAccumulator::Flush() {
  FlushAll(totals_);
  FlushAll(agents_);
  FlushAll(by_team_);
  FlushAll(by_channel_);
  FlushAll(tags_);
}

}  // namespace helpdesk
