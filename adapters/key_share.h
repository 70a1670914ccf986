// KeyShare: where the nodes of a cluster share contacts' keys (adapters/contact_keys.h), so that
// a key one node makes opens the contact's data on every node, and an erasure on one node
// destroys the key on all of them.
//
// The share is a sequence of records every node reads in the same order. A contact's key is the
// FIRST key record for them in that order: two nodes that make a key for the same contact at
// the same moment both publish, read back, and agree on the earlier one. An erasure record wins
// over every key record, before or after it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/result.h"

namespace helpdesk {

struct SharedKey {
  // The key id of an erasure record.
  static constexpr const char* kErased = "erased";

  std::string contact_id;
  std::string key_id;  // names this key among the contact's records (kErased: the erasure)
  // The key wrapped with the secrets key (an erasure: kErased); none: this record is withdrawn
  // (a tombstone: the share forgets it at its next compaction).
  std::optional<std::string> wrapped;
};

class KeyShare {
 public:
  virtual ~KeyShare() = default;
  // Ok once `records` are durable where every node reads them.
  virtual Status Publish(const std::vector<SharedKey>& records) = 0;
  // Ok once every record published anywhere before the call has been applied to this node's
  // keys; kLogUnavailable when the share cannot be read that far in a few seconds.
  virtual Status CatchUp() = 0;
};

}  // namespace helpdesk
