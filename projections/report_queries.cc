#include "projections/report_queries.h"

#include <rocksdb/db.h>

#include <memory>
#include <type_traits>

#include "domain/report_rules.h"

namespace helpdesk {

template <class Visit>
void ReportQueries::Scan(ReportSection section, const ReportRange& range, Visit&& visit) const {
  const std::string prefix = ReportKeyPrefix(section, range.dimension);
  const int64_t first = SlotOf(range.from);
  const int64_t end = SlotOf(Timestamp{range.to.ms - 1}) + 1;  // slots starting before `to`
  const std::string upper = prefix + EncodeSlot(end);
  rocksdb::ReadOptions options;
  const rocksdb::Slice upper_bound(upper);
  options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(views_.db()->NewIterator(options));
  for (it->Seek(prefix + EncodeSlot(first)); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (key.size() != prefix.size() + 8 || !key.starts_with(prefix)) continue;
    visit(DecodeSlot(key.data() + prefix.size()),
          std::string_view(it->value().data(), it->value().size()));
  }
}

template <class Cell>
Cell ReportQueries::Sum(ReportSection section, const ReportRange& range) const {
  Cell sum;
  // Each cell decodes straight into the sum: no cell is built on the way.
  Scan(section, range, [&](int64_t, std::string_view cell) { DecodeCell(cell, &sum); });
  return sum;
}

LocalHourCounts ReportQueries::ByLocalHour(const ReportRange& range, const TimeZone& zone) const {
  LocalHourCounts counts;
  ZoneOffsets offsets(zone);
  Scan(ReportSection::kTotals, range, [&](int64_t slot, std::string_view cell) {
    int64_t received = 0, opened = 0;
    if (!DecodeArrivals(cell, &received, &opened)) return;
    const Timestamp start = SlotStart(slot);
    const LocalClock local = LocalClockAt(start, offsets.SecondsAt(start));
    counts.received[local.weekday][local.hour] += received;
    counts.opened[local.weekday][local.hour] += opened;
  });
  return counts;
}

ReportTotals ReportQueries::Totals(const ReportRange& range) const {
  return Sum<ReportTotals>(ReportSection::kTotals, range);
}
Breakdown<AgentTotals> ReportQueries::Agents(const ReportRange& range) const {
  return Sum<Breakdown<AgentTotals>>(ReportSection::kAgents, range);
}
Breakdown<ReportTotals> ReportQueries::Teams(const ReportRange& range) const {
  return Sum<Breakdown<ReportTotals>>(ReportSection::kTeams, range);
}
Breakdown<ReportTotals> ReportQueries::Channels(const ReportRange& range) const {
  return Sum<Breakdown<ReportTotals>>(ReportSection::kChannels, range);
}
Breakdown<TagTotals> ReportQueries::Tags(const ReportRange& range) const {
  return Sum<Breakdown<TagTotals>>(ReportSection::kTags, range);
}

}  // namespace helpdesk
