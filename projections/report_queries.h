// ReportQueries: the reports, added up from the report cells (report_cells.h). A report reads
// the run of cells of its filter between `from` and `to`: its cost grows with the time it
// spans (at most 96 cells a day per section), never with the number of events.
//
// Thread-safe: reads a consistent RocksDB snapshot per call. A damaged cell (only a damaged
// disk makes one) may count in part.
#pragma once

#include <array>
#include <cstdint>

#include "adapters/time_zone.h"
#include "domain/time.h"
#include "projections/report_cells.h"
#include "projections/view_store.h"

namespace helpdesk {

// What a report covers: the 15-minute slots that start in [from, to) (`from` rounded down to
// its slot), for the conversations of `dimension`.
struct ReportRange {
  Timestamp from, to;
  ReportDimension dimension;
};

// Received messages and opened conversations by local weekday (0 = Sunday) and hour.
struct LocalHourCounts {
  std::array<std::array<int64_t, 24>, 7> received{}, opened{};
};

class ReportQueries {
 public:
  explicit ReportQueries(const ViewStore& views) : views_(views) {}

  LocalHourCounts ByLocalHour(const ReportRange& range, const TimeZone& zone) const;
  ReportTotals Totals(const ReportRange& range) const;
  Breakdown<AgentTotals> Agents(const ReportRange& range) const;
  Breakdown<ReportTotals> Teams(const ReportRange& range) const;
  Breakdown<ReportTotals> Channels(const ReportRange& range) const;
  Breakdown<TagTotals> Tags(const ReportRange& range) const;
  // The report definition the stored cells were counted with: this build's
  // (kReportDefinitionVersion) unless a rebuild of the reports is under way.
  int DefinitionVersion() const { return views_.StoredReportDefinition(); }

 private:
  struct Slots {
    int64_t first, end;  // [first, end)
  };
  static Slots SlotsOf(const ReportRange& range);
  // Calls visit(index, stored cell) for each cell of `section` at `grain` whose index is in
  // [first, end), in time order.
  template <class Visit>
  void Scan(ReportSection section, ReportGrain grain, const ReportDimension& dimension,
            int64_t first, int64_t end, Visit&& visit) const;
  template <class Cell>
  Cell Sum(ReportSection section, const ReportRange& range) const;

  const ViewStore& views_;
};

}  // namespace helpdesk
