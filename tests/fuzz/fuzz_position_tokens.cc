// libFuzzer target: what clients hand back to us verbatim: consistency tokens (X-Position,
// X-Min-Position) and list cursors. A token that parses prints back to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "adapters/consistency_token.h"
#include "projections/cursor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto token = helpdesk::ConsistencyToken::Parse(text)) {
    auto again = helpdesk::ConsistencyToken::Parse(token->ToString());
    if (!again || again->ToString() != token->ToString()) std::abort();
  }
  if (auto raw = helpdesk::DecodeCursor(text)) {
    if (helpdesk::EncodeCursor(*raw) != text) std::abort();
  }
  return 0;
}
