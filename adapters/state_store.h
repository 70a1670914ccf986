// StateStore: where the write model keeps its records between runs (commands/write_model.h),
// with the log position they reflect. A key-value store whose writes land together with their
// offset, so after a crash the records and the offset agree and the write model catches up from
// there: no event is missed, and one already in the records is recognised by its stream version.
//
// Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/consistency_token.h"
#include "domain/result.h"

namespace helpdesk {

class StateStore {
 public:
  virtual ~StateStore() = default;

  // The value at `key`: nullopt when absent, an error when the store cannot be read.
  virtual Result<std::optional<std::string>> Get(const std::string& key) const = 0;
  // Every key under `prefix` with its value, in key order.
  virtual Status Scan(
      const std::string& prefix,
      const std::function<void(std::string_view key, std::string_view value)>& visit) const = 0;
  // The log position the stored records reflect (empty for a new store).
  virtual ConsistencyToken Offset() const = 0;

  // A put (value) or a delete (nullopt).
  using Write = std::pair<std::string, std::optional<std::string>>;
  // Applies `writes` and records `offset`, all or nothing.
  virtual Status Commit(const std::vector<Write>& writes, const ConsistencyToken& offset) = 0;
};

}  // namespace helpdesk
