// ReportAccumulator: adds what the report rules measured (domain/report_rules.h) to the report
// cells (report_cells.h) of one projection step. Every measure lands in the cells of each
// filter it answers — everything, its channel, its team, its channel and team — so a report
// with any filter reads one run of cells. A cell touched by many events of a step is decoded
// and written once, when the step flushes.
// Single-threaded: lives for one step of the projection runner.
#pragma once

#include <string>
#include <unordered_map>

#include "domain/report_rules.h"
#include "projections/report_cells.h"
#include "projections/view_txn.h"

namespace helpdesk {

class ReportAccumulator {
 public:
  explicit ReportAccumulator(ViewTxn& txn) : txn_(txn) {}

  void Add(const ReportMeasure& measure);
  // Writes every touched cell into the step's transaction.
  void Flush();

 private:
  template <class T>
  T& Cell(std::unordered_map<std::string, T>& cells, std::string key);
  template <class T>
  void FlushAll(std::unordered_map<std::string, T>& cells);

  ViewTxn& txn_;
  std::unordered_map<std::string, ReportTotals> totals_;
  std::unordered_map<std::string, Breakdown<AgentTotals>> agents_;
  std::unordered_map<std::string, Breakdown<ReportTotals>> by_team_, by_channel_;
  std::unordered_map<std::string, Breakdown<TagTotals>> tags_;
};

}  // namespace helpdesk
