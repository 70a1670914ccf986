#include "api/token_usage.h"

namespace helpdesk {
namespace {

std::string KeyOf(const std::string& user_id, const std::string& token_id) {
  return user_id + "\n" + token_id;
}

}  // namespace

void TokenUsage::Record(const std::string& user_id, const std::string& token_id, Timestamp now) {
  const std::string key = KeyOf(user_id, token_id);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = last_used_ms_.find(key);
  if (it == last_used_ms_.end()) {
    if (last_used_ms_.size() < kMaxTracked) last_used_ms_.emplace(key, now.ms);
  } else if (now.ms - it->second >= kPrecisionMs) {
    it->second = now.ms;
  }
}

std::optional<Timestamp> TokenUsage::LastUsed(const std::string& user_id,
                                              const std::string& token_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = last_used_ms_.find(KeyOf(user_id, token_id));
  if (it == last_used_ms_.end()) return std::nullopt;
  return Timestamp{it->second};
}

}  // namespace helpdesk
