// libFuzzer target: an event envelope as read back from the log (the embedded log's records,
// Kafka messages another node wrote). One that decodes encodes and decodes again to the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "adapters/event_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  auto decoded = helpdesk::DecodeEnvelope(bytes);
  if (decoded.ok()) {
    const std::string encoded = helpdesk::EncodeEnvelope(decoded.value());
    auto again = helpdesk::DecodeEnvelope(encoded);
    if (!again.ok() || helpdesk::EncodeEnvelope(again.value()) != encoded) std::abort();
  }
  return 0;
}
