// Period cells: counters and time histograms kept per 15-minute UTC slot and per UTC day, under
// a prefix per grain, so that a report over any period reads its whole days' cells and the
// slots at its two ends (domain/report_rules.h SlotOf). The funnel report and the tasks report
// keep theirs this way; each names its measures after the cell's index:
//   <prefix(grain)><be64 slot or day>\0<measure key>
// Counters are ViewTxn counters; a histogram is one key of (bucket, count) varint pairs
// (LatencyHistogram buckets), so a cell's size stays flat however many stays it holds.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "domain/time.h"
#include "projections/view_store.h"
#include "projections/view_txn.h"

namespace helpdesk {

// The key prefix of a report's cells of a grain ('s' slot, 'd' day).
using CellPrefix = std::function<std::string(char grain)>;

// The keys of `measure` in both cells of `at`: its slot's and its day's.
std::array<std::string, 2> PeriodCellKeys(const CellPrefix& prefix, Timestamp at,
                                          const std::string& measure);
// Adds `amount` to a counter measure in both cells of `at`.
void AddToPeriodCells(ViewTxn& txn, const CellPrefix& prefix, Timestamp at,
                      const std::string& measure, int64_t amount = 1);
// Adds a duration of `seconds` to a histogram measure in both cells of `at`.
void AddDurationToPeriodCells(ViewTxn& txn, const CellPrefix& prefix, Timestamp at,
                              const std::string& measure, int64_t seconds);

// Histogram values: varint pairs (bucket, count), buckets ascending.
std::string EncodeDurations(const std::map<uint32_t, uint64_t>& buckets);
bool DecodeDurations(std::string_view in, std::map<uint32_t, uint64_t>* buckets);

// Calls `add(measure key, value)` for every measure of the cells covering [from, to).
void SumPeriodCells(const ViewStore& views, const CellPrefix& prefix, Timestamp from, Timestamp to,
                    const std::function<void(std::string_view, std::string_view)>& add);

}  // namespace helpdesk
