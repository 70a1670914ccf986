#include "projections/period_cells.h"

#include <rocksdb/db.h>

#include <memory>

#include "domain/histogram.h"
#include "domain/report_rules.h"
#include "projections/report_cells.h"

namespace helpdesk {

std::array<std::string, 2> PeriodCellKeys(const CellPrefix& prefix, Timestamp at,
                                          const std::string& measure) {
  const int64_t slot = SlotOf(at);
  std::array<std::string, 2> keys{prefix('s') + EncodeSlot(slot),
                                  prefix('d') + EncodeSlot(DayOfSlot(slot))};
  for (std::string& key : keys) {
    key.push_back('\0');
    key += measure;
  }
  return keys;
}

void AddToPeriodCells(ViewTxn& txn, const CellPrefix& prefix, Timestamp at,
                      const std::string& measure, int64_t amount) {
  for (const std::string& key : PeriodCellKeys(prefix, at, measure)) {
    txn.AddToCounter(key, amount);
  }
}

void AddDurationToPeriodCells(ViewTxn& txn, const CellPrefix& prefix, Timestamp at,
                              const std::string& measure, int64_t seconds) {
  for (const std::string& key : PeriodCellKeys(prefix, at, measure)) {
    std::map<uint32_t, uint64_t> buckets;
    if (auto stored = txn.Get(key)) DecodeDurations(*stored, &buckets);
    ++buckets[LatencyHistogram::BucketOf(seconds)];
    txn.Put(key, EncodeDurations(buckets));
  }
}

std::string EncodeDurations(const std::map<uint32_t, uint64_t>& buckets) {
  std::string out;
  auto put = [&out](uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  };
  for (const auto& [bucket, count] : buckets) {
    put(bucket);
    put(count);
  }
  return out;
}

bool DecodeDurations(std::string_view in, std::map<uint32_t, uint64_t>* buckets) {
  size_t at = 0;
  auto get = [&](uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && at < in.size(); shift += 7) {
      const auto byte = static_cast<unsigned char>(in[at++]);
      *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  };
  while (at < in.size()) {
    uint64_t bucket = 0, count = 0;
    if (!get(&bucket) || !get(&count)) return false;
    (*buckets)[static_cast<uint32_t>(bucket)] += count;
  }
  return true;
}

void SumPeriodCells(const ViewStore& views, const CellPrefix& prefix, Timestamp from, Timestamp to,
                    const std::function<void(std::string_view, std::string_view)>& add) {
  auto scan = [&](char grain, int64_t first, int64_t end) {
    if (first >= end) return;
    const std::string start = prefix(grain);
    const std::string upper = start + EncodeSlot(end);
    rocksdb::ReadOptions options;
    const rocksdb::Slice upper_bound(upper);
    options.iterate_upper_bound = &upper_bound;
    std::unique_ptr<rocksdb::Iterator> it(views.db()->NewIterator(options));
    for (it->Seek(start + EncodeSlot(first)); it->Valid(); it->Next()) {
      const rocksdb::Slice key = it->key();
      if (key.size() <= start.size() + 9 || !key.starts_with(start)) continue;
      add(std::string_view(key.data() + start.size() + 9, key.size() - start.size() - 9),
          std::string_view(it->value().data(), it->value().size()));
    }
  };
  // Whole UTC days from their day cells; the slots at both ends from theirs.
  const int64_t first_slot = SlotOf(from);
  const int64_t end_slot = SlotOf(Timestamp{to.ms - 1}) + 1;
  const int64_t first_day = DayOfSlot(first_slot + kSlotsPerDay - 1);
  const int64_t end_day = DayOfSlot(end_slot);
  if (first_day >= end_day) {
    scan('s', first_slot, end_slot);
  } else {
    scan('s', first_slot, first_day * kSlotsPerDay);
    scan('d', first_day, end_day);
    scan('s', end_day * kSlotsPerDay, end_slot);
  }
}

}  // namespace helpdesk
