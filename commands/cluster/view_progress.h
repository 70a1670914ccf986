// ViewProgress: what the cluster needs to know of this node's views, declared on its side so
// that commands/cluster/ never includes projections/. The node wires it to its projector.
#pragma once

#include <chrono>

#include "adapters/consistency_token.h"

namespace helpdesk {

class ViewProgress {
 public:
  virtual ~ViewProgress() = default;
  // The log position the views (and, on a cluster, the write model following them) include.
  virtual ConsistencyToken Applied() const = 0;
  // Waits until they include `token`; false on timeout.
  virtual bool WaitFor(const ConsistencyToken& token, std::chrono::milliseconds timeout) const = 0;
};

}  // namespace helpdesk
