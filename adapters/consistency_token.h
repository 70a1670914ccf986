// A consistency token names a point of the log: one offset per partition, written
// "<partition>:<position>[,<partition>:<position>…]" (the embedded log has one partition: "0:42").
// A reader has seen a token when, for every partition the token names, it has applied that
// position. Tokens travel to clients in `X-Position` and come back in `X-Min-Position`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace helpdesk {

class ConsistencyToken {
 public:
  ConsistencyToken() = default;
  static ConsistencyToken Single(uint64_t position) {
    ConsistencyToken t;
    t.offsets_[0] = position;
    return t;
  }

  // nullopt for anything that is not a well-formed token.
  static std::optional<ConsistencyToken> Parse(const std::string& text);
  std::string ToString() const;

  uint64_t At(int partition) const {
    auto it = offsets_.find(partition);
    return it == offsets_.end() ? 0 : it->second;
  }
  void Set(int partition, uint64_t position) { offsets_[partition] = position; }
  // Pointwise maximum.
  void Merge(const ConsistencyToken& other);
  // True when every partition of `required` is at or below this token's position.
  bool Covers(const ConsistencyToken& required) const;
  const std::map<int, uint64_t>& offsets() const { return offsets_; }

 private:
  std::map<int, uint64_t> offsets_;
};

}  // namespace helpdesk
