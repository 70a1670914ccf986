// libFuzzer target: the JSON writer of envelopes and hashes (domain/json_text.h) against
// nlohmann's dump(). The input, as a string value, must be quoted the same way or refused the
// same way; parsed as a document, it must be written back byte for byte as dump() writes it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "domain/json_text.h"

namespace {

// "ok:" and what `write` wrote, or "error:" and the library's message when it refused (a string
// that is not UTF-8).
template <class Write>
std::string Outcome(Write write) {
  try {
    return "ok:" + write();
  } catch (const nlohmann::json::type_error& e) {
    return "error:" + std::string(e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const std::string quoted_by_library = Outcome([&] { return nlohmann::json(bytes).dump(); });
  const std::string quoted = Outcome([&] {
    std::string out;
    helpdesk::AppendJsonString(out, bytes);
    return out;
  });
  if (quoted != quoted_by_library) std::abort();

  const nlohmann::json parsed = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return 0;
  const std::string written = Outcome([&] { return helpdesk::DumpJson(parsed); });
  if (written != Outcome([&] { return parsed.dump(); })) std::abort();
  return 0;
}
