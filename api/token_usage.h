// TokenUsage: when each user token was last used, as this node saw it. Kept in memory and never
// written as events: one event per request would put every read in the log. Minute precision
// (a token used many times a minute is written once); per node (each node answers what it saw).
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "domain/time.h"

namespace helpdesk {

class TokenUsage {
 public:
  // Records a use of the user's token at `now`. Thread-safe; a lock and a map lookup.
  void Record(const std::string& user_id, const std::string& token_id, Timestamp now);
  std::optional<Timestamp> LastUsed(const std::string& user_id, const std::string& token_id) const;

 private:
  static constexpr int64_t kPrecisionMs = 60000;
  // Tokens past this many are not tracked: memory stays bounded whatever callers do.
  static constexpr size_t kMaxTracked = 1 << 20;
  mutable std::mutex mu_;
  std::unordered_map<std::string, int64_t> last_used_ms_;  // "<user>\n<token>" -> ms
};

}  // namespace helpdesk
