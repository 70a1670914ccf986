#include "projections/report_queries.h"

#include <rocksdb/db.h>

#include <memory>
#include <type_traits>

#include "domain/report_rules.h"

namespace helpdesk {

template <class Visit>
void ReportQueries::Scan(ReportSection section, ReportGrain grain, const ReportDimension& dimension,
                         int64_t first, int64_t end, Visit&& visit) const {
  if (first >= end) return;
  const std::string prefix = ReportKeyPrefix(section, grain, dimension);
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

ReportQueries::Slots ReportQueries::SlotsOf(const ReportRange& range) {
  return Slots{SlotOf(range.from), SlotOf(Timestamp{range.to.ms - 1}) + 1};  // start before `to`
}

template <class Cell>
Cell ReportQueries::Sum(ReportSection section, const ReportRange& range) const {
  Cell sum;
  // Each cell decodes straight into the sum: no cell is built on the way.
  auto add = [&](int64_t, std::string_view cell) { DecodeCell(cell, &sum); };
  const Slots slots = SlotsOf(range);
  // Whole days from their day cells, the slots before the first and after the last from theirs.
  const int64_t first_day = DayOfSlot(slots.first + kSlotsPerDay - 1);
  const int64_t end_day = DayOfSlot(slots.end);
  if (first_day >= end_day) {
    Scan(section, ReportGrain::kSlot, range.dimension, slots.first, slots.end, add);
    return sum;
  }
  Scan(section, ReportGrain::kSlot, range.dimension, slots.first, first_day * kSlotsPerDay, add);
  Scan(section, ReportGrain::kDay, range.dimension, first_day, end_day, add);
  Scan(section, ReportGrain::kSlot, range.dimension, end_day * kSlotsPerDay, slots.end, add);
  return sum;
}

LocalHourCounts ReportQueries::ByLocalHour(const ReportRange& range, const TimeZone& zone) const {
  LocalHourCounts counts;
  ZoneOffsets offsets(zone);
  const Slots slots = SlotsOf(range);
  Scan(ReportSection::kTotals, ReportGrain::kSlot, range.dimension, slots.first, slots.end,
       [&](int64_t slot, std::string_view cell) {
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
