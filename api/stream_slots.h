// StreamSlots: how many live-feed streams each caller holds open, bounded per caller so that one
// token cannot take the server's whole allowance of streams (256, http_listener.cc).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace helpdesk {

class StreamSlots : public std::enable_shared_from_this<StreamSlots> {
 public:
  static constexpr int kPerCaller = 5;

  // A slot for `who`, given back when the returned handle is destroyed; null when `who` holds
  // kPerCaller already.
  std::shared_ptr<void> Take(const std::string& who) {
    std::lock_guard<std::mutex> lock(mu_);
    int& open = open_[who];
    if (open >= kPerCaller) return nullptr;
    ++open;
    ++total_;
    return std::make_shared<Slot>(shared_from_this(), who);
  }
  // Streams open now, all callers together.
  size_t Open() const {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }

 private:
  struct Slot {
    Slot(std::shared_ptr<StreamSlots> owner, std::string who)
        : owner(std::move(owner)), who(std::move(who)) {}
    ~Slot() { owner->Give(who); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    std::shared_ptr<StreamSlots> owner;
    std::string who;
  };
  void Give(const std::string& who) {
    std::lock_guard<std::mutex> lock(mu_);
    --total_;
    auto it = open_.find(who);
    if (it != open_.end() && --it->second <= 0) open_.erase(it);
  }
  mutable std::mutex mu_;
  std::map<std::string, int> open_;
  size_t total_ = 0;
};

}  // namespace helpdesk
