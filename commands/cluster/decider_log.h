// DeciderLog: the log a deciding CommandService appends to on a cluster. Appends wait for the
// decider's next transaction (KafkaDecider takes them all at the end of a batch and settles each
// promise after the commit); reads go to `reading`: the Kafka log as the node reads it, with
// contacts' personal data opened (the write model's lookups hold phones and e-mails in clear).
#pragma once

#include <future>
#include <mutex>
#include <vector>

#include "adapters/event_log.h"
#include "adapters/kafka_log.h"

namespace helpdesk {

// Only the decider's threads append.
class DeciderLog final : public EventLog {
 public:
  // `reading` reads `kafka` (opened, or `kafka` itself); both outlive this.
  DeciderLog(KafkaLog& kafka, EventLog& reading) : kafka_(kafka), reading_(reading) {}

  std::future<Result<AppendResult>> AppendAsync(AppendRequest request) override;
  void Reset() override {}
  Result<std::vector<RecordedEvent>> Read(const ConsistencyToken& after, size_t max,
                                          std::chrono::milliseconds wait) override {
    return reading_.Read(after, max, wait);
  }
  ConsistencyToken Head() const override { return kafka_.Head(); }
  Result<bool> IsCaughtUp(const ConsistencyToken& token) override {
    return kafka_.IsCaughtUp(token);
  }
  Result<bool> Reaches(const ConsistencyToken& token) override { return kafka_.Reaches(token); }

  struct Pending {
    AppendRequest request;
    std::promise<Result<AppendResult>> done;
  };
  // Everything appended since the last call, in order.
  std::vector<Pending> TakeAll();

 private:
  KafkaLog& kafka_;
  EventLog& reading_;
  std::mutex mu_;
  std::vector<Pending> pending_;
};

}  // namespace helpdesk
