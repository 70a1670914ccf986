// StreamSlots: how many live-feed streams each caller holds open, bounded per caller so that one
// token cannot take the server's whole allowance of streams (256, http_listener.cc).
//
// The newest stream wins: a caller who holds kPerCaller already gets a new one, and their oldest
// is told to end (StreamSlot::Superseded). A server learns that a client left only when a write
// to it fails, up to a heartbeat later; a browser reconnecting after a network blip must not find
// itself locked out by its own streams that are gone.
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace helpdesk {

class StreamSlots;

// One open stream's place; given back when destroyed.
class StreamSlot {
 public:
  StreamSlot(std::shared_ptr<StreamSlots> owner, std::string who)
      : owner_(std::move(owner)), who_(std::move(who)) {}
  ~StreamSlot();
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;
  // A newer stream of the same caller took this one's place: end it.
  bool Superseded() const { return superseded_.load(); }

 private:
  friend class StreamSlots;
  std::shared_ptr<StreamSlots> owner_;
  std::string who_;
  std::atomic<bool> superseded_{false};
};

class StreamSlots : public std::enable_shared_from_this<StreamSlots> {
 public:
  static constexpr size_t kPerCaller = 5;

  // A slot for `who`. When `who` holds kPerCaller already, their oldest is superseded.
  std::shared_ptr<StreamSlot> Take(const std::string& who) {
    auto slot = std::make_shared<StreamSlot>(shared_from_this(), who);
    std::lock_guard<std::mutex> lock(mu_);
    std::deque<StreamSlot*>& held = open_[who];
    // Those superseded already are on their way out: they do not count.
    size_t live = 0;
    for (const StreamSlot* s : held) live += s->Superseded() ? 0 : 1;
    for (StreamSlot* s : held) {
      if (live < kPerCaller) break;
      if (!s->Superseded()) {
        s->superseded_.store(true);
        --live;
      }
    }
    held.push_back(slot.get());
    ++total_;
    return slot;
  }
  // Streams open now, all callers together.
  size_t Open() const {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }

 private:
  friend class StreamSlot;
  void Give(const std::string& who, const StreamSlot* slot) {
    std::lock_guard<std::mutex> lock(mu_);
    --total_;
    auto it = open_.find(who);
    if (it == open_.end()) return;
    std::deque<StreamSlot*>& held = it->second;
    for (auto s = held.begin(); s != held.end(); ++s) {
      if (*s == slot) {
        held.erase(s);
        break;
      }
    }
    if (held.empty()) open_.erase(it);
  }
  mutable std::mutex mu_;
  std::map<std::string, std::deque<StreamSlot*>> open_;  // oldest first
  size_t total_ = 0;
};

inline StreamSlot::~StreamSlot() { owner_->Give(who_, this); }

}  // namespace helpdesk
