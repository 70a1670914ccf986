#include "adapters/consistency_token.h"

#include <charconv>

namespace helpdesk {

std::optional<ConsistencyToken> ConsistencyToken::Parse(const std::string& text) {
  ConsistencyToken t;
  if (text.empty() || text.size() > 4096 || text.back() == ',') return std::nullopt;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    const std::string part = text.substr(pos, end - pos);
    const size_t colon = part.find(':');
    if (colon == std::string::npos) return std::nullopt;
    int partition = 0;
    uint64_t position = 0;
    const char* b = part.data();
    auto r1 = std::from_chars(b, b + colon, partition);
    auto r2 = std::from_chars(b + colon + 1, b + part.size(), position);
    if (r1.ec != std::errc() || r1.ptr != b + colon || r2.ec != std::errc() ||
        r2.ptr != b + part.size() || partition < 0) {
      return std::nullopt;
    }
    // A partition named twice: which one was meant is anyone's guess.
    if (!t.offsets_.emplace(partition, position).second) return std::nullopt;
    pos = end + 1;
  }
  return t;
}

std::string ConsistencyToken::ToString() const {
  std::string out;
  for (const auto& [p, o] : offsets_) {
    if (!out.empty()) out += ',';
    out += std::to_string(p) + ':' + std::to_string(o);
  }
  return out.empty() ? "0:0" : out;
}

void ConsistencyToken::Merge(const ConsistencyToken& other) {
  for (const auto& [p, o] : other.offsets_) {
    auto& mine = offsets_[p];
    if (o > mine) mine = o;
  }
}

bool ConsistencyToken::Covers(const ConsistencyToken& required) const {
  for (const auto& [p, o] : required.offsets_) {
    if (At(p) < o) return false;
  }
  return true;
}

}  // namespace helpdesk
