// Report cells: what the reports projector keeps per 15-minute UTC slot (domain/report_rules.h),
// per filter a report can take, pre-aggregated so that a report reads a few thousand small
// cells for a month whatever the number of events behind them.
//
// Keys: r/<section><grain><dimension><index>, where
//   section    T totals, A per agent, M per team, C per channel, G per tag;
//   grain      's' a 15-minute slot, 'd' a UTC day (96 slots): every section keeps both, so a
//              sum over a month reads about 30 day cells plus the slots at its two ends (what a
//              cell holds — agents, tags, histogram buckets — grows with the traffic: fewer
//              cells keep a report's cost flat); hours in a local zone read the slots;
//   dimension  the filter it answers: 'a' everything, 'c' one channel, 't' one team, 'x' one
//              channel and one team (ids length-prefixed, so no dimension prefixes another);
//   index      the slot or day number, 8 bytes big-endian with the sign bit flipped, so cells
//              sort in time order.
// Values: a compact binary encoding (varints), decoded in about a microsecond.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "domain/histogram.h"

namespace helpdesk {

enum class ReportSection : char {
  kTotals = 'T',
  kAgents = 'A',
  kTeams = 'M',
  kChannels = 'C',
  kTags = 'G',
};

// Which conversations a cell counts: all of them, one channel's, one team's, or both.
struct ReportDimension {
  std::optional<std::string> channel_id, team_id;
};

enum class ReportGrain : char { kSlot = 's', kDay = 'd' };
constexpr int64_t kSlotsPerDay = 96;
// The day (UTC) a slot lies in.
inline int64_t DayOfSlot(int64_t slot) {
  return slot >= 0 ? slot / kSlotsPerDay : -((-slot + kSlotsPerDay - 1) / kSlotsPerDay);
}

std::string ReportKeyPrefix(ReportSection section, ReportGrain grain,
                            const ReportDimension& dimension);
std::string ReportKey(ReportSection section, ReportGrain grain, const ReportDimension& dimension,
                      int64_t index);
std::string EncodeSlot(int64_t slot);
int64_t DecodeSlot(const char* p);  // 8 bytes

struct ReportTotals {
  int64_t received = 0, opened = 0, closed = 0, reopened = 0;
  LatencyHistogram first_response, resolution;
  std::map<std::string, int64_t, std::less<>> close_reasons;
  void Merge(const ReportTotals& other);
  bool operator==(const ReportTotals&) const = default;
};

struct AgentTotals {
  int64_t assigned = 0, closed = 0, replies = 0;
  LatencyHistogram first_response;
  void Merge(const AgentTotals& other);
  bool operator==(const AgentTotals&) const = default;
};

struct TagTotals {
  int64_t tagged = 0, closed = 0;
  void Merge(const TagTotals& other);
  bool operator==(const TagTotals&) const = default;
};

// One entry per agent, team, channel or tag.
template <class T>
using Breakdown = std::map<std::string, T, std::less<>>;

// The stored form of each kind of cell, and back. Decoding adds the stored cell to `*cell`
// (into an empty one: the cell itself; into a sum: the sum with it, without building the cell
// first). False for a damaged value, which may have been partly added: readers decode into a
// fresh cell when they must not keep part of a damaged one.
std::string EncodeCell(const ReportTotals& cell);
std::string EncodeCell(const Breakdown<AgentTotals>& cell);
std::string EncodeCell(const Breakdown<ReportTotals>& cell);
std::string EncodeCell(const Breakdown<TagTotals>& cell);
bool DecodeCell(std::string_view in, ReportTotals* cell);
bool DecodeCell(std::string_view in, Breakdown<AgentTotals>* cell);
bool DecodeCell(std::string_view in, Breakdown<ReportTotals>* cell);
bool DecodeCell(std::string_view in, Breakdown<TagTotals>* cell);
// Adds just the received and opened counts of a totals cell (what hour-by-hour reports need).
bool DecodeArrivals(std::string_view in, int64_t* received, int64_t* opened);

}  // namespace helpdesk
