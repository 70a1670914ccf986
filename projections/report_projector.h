// ReportAccumulator: adds what the report rules measured (domain/report_rules.h) to the report
// cells (report_cells.h) of one projection step. Every measure lands in the cells of each
// filter it answers — everything, its channel, its team, its channel and team — so a report
// with any filter reads one run of cells. A cell touched by many events of a step is decoded
// and written once, when the step flushes.
// Single-threaded: lives for one step of the projection runner, or for one rebuild.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "domain/report_rules.h"
#include "projections/report_cells.h"
#include "projections/view_txn.h"

namespace helpdesk {

class ReportAccumulator {
 public:
  // Adds to the cells as `stored` holds them (a step of the projection runner).
  explicit ReportAccumulator(ViewTxn& stored) : stored_(&stored) {}
  // Adds to cells that start empty (a rebuild of the reports: report_rebuild.h).
  ReportAccumulator() = default;

  void Add(const ReportMeasure& measure);
  // Writes every touched cell into `txn`, and forgets them.
  void Flush(ViewTxn& txn);

 private:
  // What the measures of one slot, channel and team add up to. Add only tallies these (one
  // lookup per measure); Flush spreads each over the cells of its filters and grains (4 filters
  // x 2 grains x up to 5 sections), once per tally instead of once per measure.
  struct TallyKey {
    int64_t slot = 0;
    std::string channel_id;
    std::optional<std::string> team_id;
    bool operator==(const TallyKey&) const = default;
  };
  struct TallyKeyHash {
    size_t operator()(const TallyKey& k) const;
  };
  struct Tally {
    bool conversations = false;  // a measure counted conversations (else no totals cell moves)
    ReportTotals totals;
    Breakdown<AgentTotals> agents;
    Breakdown<TagTotals> tags;
  };
  void Spread(const TallyKey& key, const Tally& tally);
  template <class T>
  T& Cell(std::unordered_map<std::string, T>& cells, std::string key);
  template <class T>
  static void FlushAll(std::unordered_map<std::string, T>& cells, ViewTxn& txn);

  ViewTxn* stored_ = nullptr;
  std::unordered_map<TallyKey, Tally, TallyKeyHash> tallies_;
  std::unordered_map<std::string, ReportTotals> totals_;
  std::unordered_map<std::string, Breakdown<AgentTotals>> agents_;
  std::unordered_map<std::string, Breakdown<ReportTotals>> by_team_, by_channel_;
  std::unordered_map<std::string, Breakdown<TagTotals>> tags_;
};

}  // namespace helpdesk
