// StreamPlacement: which streams a deciding node may write right now. On one node (the embedded
// log) there is no placement and it writes everything. In a cluster on Kafka, each node writes
// only the streams of the partitions it owns: a stream has exactly one writer at a time.
#pragma once

#include <functional>
#include <string>

namespace helpdesk {

// Whether this node owns a stream's partition now: the background workers (delivery, the task
// timer) act only for the streams it owns. On one node: every stream.
using OwnsStream = std::function<bool(const std::string& stream)>;

class StreamPlacement {
 public:
  virtual ~StreamPlacement() = default;

  // True when the calling (deciding) thread may append events to `stream`.
  virtual bool MayWrite(const std::string& stream) const = 0;
  // A fresh id whose stream, `stream_of(id)`, the calling thread may write.
  virtual std::string NewIdFor(std::string (*stream_of)(const std::string&)) const = 0;
};

}  // namespace helpdesk
