#include "projections/report_cells.h"

#include "adapters/rocks_status.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;

void PutVarint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutString(const std::string& s, std::string& out) {
  PutVarint(s.size(), out);
  out += s;
}

void PutLengthPrefixed(const std::string& id, std::string& out) {
  // Two bytes of length: ids are at most 256 bytes (the API's limit).
  out.push_back(static_cast<char>((id.size() >> 8) & 0xff));
  out.push_back(static_cast<char>(id.size() & 0xff));
  out += id;
}

// The entry of `map` for `name`, made if missing; no string is built when it exists.
template <class T>
T& EntryOf(std::map<std::string, T, std::less<>>& map, std::string_view name) {
  auto it = map.find(name);
  if (it == map.end()) it = map.emplace(std::string(name), T()).first;
  return it->second;
}

// Reads what the Put functions wrote, adding what it reads into its targets (decoding a cell
// into a sum merges it); every read fails once the input ran short.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return false;
      const auto byte = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  // Adds a count to *v.
  bool Count(int64_t* v) {
    uint64_t u = 0;
    if (!Varint(&u)) return false;
    *v += static_cast<int64_t>(u);
    return true;
  }
  // A string, viewed in the input (valid while it is).
  bool String(std::string_view* s) {
    uint64_t n = 0;
    if (!Varint(&n) || n > in_.size()) return false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool Done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

void PutCount(int64_t v, std::string& out) { PutVarint(static_cast<uint64_t>(v), out); }

void Put(const LatencyHistogram& h, std::string& out) {
  PutVarint(h.buckets().size(), out);
  uint32_t previous = 0;
  for (const auto& [index, count] : h.buckets()) {
    PutVarint(index - previous, out);  // indexes ascend: deltas stay one byte
    PutVarint(count, out);
    previous = index;
  }
}
bool Get(Reader& r, LatencyHistogram* h) {
  uint64_t n = 0, index = 0;
  if (!r.Varint(&n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t delta = 0, count = 0;
    if (!r.Varint(&delta) || !r.Varint(&count)) return false;
    index += delta;
    h->AddToBucket(static_cast<uint32_t>(index), count);
  }
  return true;
}

void Put(const ReportTotals& t, std::string& out) {
  PutCount(t.received, out);
  PutCount(t.opened, out);
  PutCount(t.closed, out);
  PutCount(t.reopened, out);
  Put(t.first_response, out);
  Put(t.resolution, out);
  PutVarint(t.close_reasons.size(), out);
  for (const auto& [reason, n] : t.close_reasons) {
    PutString(reason, out);
    PutCount(n, out);
  }
}
bool Get(Reader& r, ReportTotals* t) {
  uint64_t reasons = 0;
  if (!r.Count(&t->received) || !r.Count(&t->opened) || !r.Count(&t->closed) ||
      !r.Count(&t->reopened) || !Get(r, &t->first_response) || !Get(r, &t->resolution) ||
      !r.Varint(&reasons)) {
    return false;
  }
  for (uint64_t i = 0; i < reasons; ++i) {
    std::string_view reason;
    if (!r.String(&reason) || !r.Count(&EntryOf(t->close_reasons, reason))) return false;
  }
  return true;
}

void Put(const AgentTotals& t, std::string& out) {
  PutCount(t.assigned, out);
  PutCount(t.closed, out);
  PutCount(t.replies, out);
  Put(t.first_response, out);
}
bool Get(Reader& r, AgentTotals* t) {
  return r.Count(&t->assigned) && r.Count(&t->closed) && r.Count(&t->replies) &&
         Get(r, &t->first_response);
}

void Put(const TagTotals& t, std::string& out) {
  PutCount(t.tagged, out);
  PutCount(t.closed, out);
}
bool Get(Reader& r, TagTotals* t) { return r.Count(&t->tagged) && r.Count(&t->closed); }

template <class T>
std::string EncodeBreakdown(const Breakdown<T>& cells) {
  std::string out;
  PutVarint(cells.size(), out);
  for (const auto& [name, cell] : cells) {
    PutString(name, out);
    Put(cell, out);
  }
  return out;
}

template <class T>
bool DecodeBreakdown(std::string_view in, Breakdown<T>* cells) {
  Reader r(in);
  uint64_t n = 0;
  if (!r.Varint(&n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view name;
    if (!r.String(&name) || !Get(r, &EntryOf(*cells, name))) return false;
  }
  return r.Done();
}

}  // namespace

std::string EncodeSlot(int64_t slot) {
  return EncodeBigEndian64(static_cast<uint64_t>(slot) ^ kSignBit);
}
int64_t DecodeSlot(const char* p) { return static_cast<int64_t>(DecodeBigEndian64(p) ^ kSignBit); }

std::string ReportKeyPrefix(ReportSection section, ReportGrain grain, const ReportDimension& d) {
  std::string key = view_keys::kReportCell;
  key.push_back(static_cast<char>(section));
  key.push_back(static_cast<char>(grain));
  if (d.channel_id && d.team_id) {
    key.push_back('x');
    PutLengthPrefixed(*d.channel_id, key);
    PutLengthPrefixed(*d.team_id, key);
  } else if (d.channel_id) {
    key.push_back('c');
    PutLengthPrefixed(*d.channel_id, key);
  } else if (d.team_id) {
    key.push_back('t');
    PutLengthPrefixed(*d.team_id, key);
  } else {
    key.push_back('a');
  }
  return key;
}

std::string ReportKey(ReportSection section, ReportGrain grain, const ReportDimension& d,
                      int64_t index) {
  return ReportKeyPrefix(section, grain, d) + EncodeSlot(index);
}

void ReportTotals::Merge(const ReportTotals& o) {
  received += o.received;
  opened += o.opened;
  closed += o.closed;
  reopened += o.reopened;
  first_response.Merge(o.first_response);
  resolution.Merge(o.resolution);
  for (const auto& [reason, n] : o.close_reasons) close_reasons[reason] += n;
}

void AgentTotals::Merge(const AgentTotals& o) {
  assigned += o.assigned;
  closed += o.closed;
  replies += o.replies;
  first_response.Merge(o.first_response);
}

void TagTotals::Merge(const TagTotals& o) {
  tagged += o.tagged;
  closed += o.closed;
}

std::string EncodeCell(const ReportTotals& cell) {
  std::string out;
  Put(cell, out);
  return out;
}
std::string EncodeCell(const Breakdown<AgentTotals>& cell) { return EncodeBreakdown(cell); }
std::string EncodeCell(const Breakdown<ReportTotals>& cell) { return EncodeBreakdown(cell); }
std::string EncodeCell(const Breakdown<TagTotals>& cell) { return EncodeBreakdown(cell); }

bool DecodeArrivals(std::string_view in, int64_t* received, int64_t* opened) {
  Reader r(in);
  return r.Count(received) && r.Count(opened);
}

bool DecodeCell(std::string_view in, ReportTotals* cell) {
  Reader r(in);
  return Get(r, cell) && r.Done();
}
bool DecodeCell(std::string_view in, Breakdown<AgentTotals>* cell) {
  return DecodeBreakdown(in, cell);
}
bool DecodeCell(std::string_view in, Breakdown<ReportTotals>* cell) {
  return DecodeBreakdown(in, cell);
}
bool DecodeCell(std::string_view in, Breakdown<TagTotals>* cell) {
  return DecodeBreakdown(in, cell);
}

}  // namespace helpdesk
