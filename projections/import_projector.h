// ImportProjector: a contacts import's stream (`import/<id>`) into its resource (ki/<id>), what
// GET /api/v1/contacts/imports/{id} answers: status, counts and the rows' errors.
#pragma once

#include <cstddef>

#include "domain/event.h"
#include "projections/view_txn.h"

namespace helpdesk {

class ImportProjector {
 public:
  // At most this many row errors are kept on an import; past them `errors_omitted` counts.
  static constexpr size_t kMaxErrors = 1000;
  // An event of an import's stream.
  void Apply(const RecordedEvent& r, ViewTxn& txn) const;
};

}  // namespace helpdesk
