// libFuzzer target: the edge gate's framer (api/request_framer.h), which reads every client's
// raw bytes before anything else does. However the stream is cut, the framer passes on the same
// bytes and reaches the same verdict, and every head it passes on carries the gate's header.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/request_framer.h"

namespace {

using helpdesk::RequestFramer;

RequestFramer NewFramer() {
  return RequestFramer(
      256, "x-peer", "gate 1.2.3.4",
      [](std::string_view, std::string_view target) -> uint64_t { return target.size() * 4; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t cut = data[0] % (stream.size() + 1);

  RequestFramer whole = NewFramer();
  std::string whole_out;
  const RequestFramer::Verdict whole_verdict = whole.Feed(stream, whole_out);

  RequestFramer pieces = NewFramer();
  std::string pieces_out;
  RequestFramer::Verdict verdict = pieces.Feed(stream.substr(0, cut), pieces_out);
  if (verdict == RequestFramer::Verdict::kOk) verdict = pieces.Feed(stream.substr(cut), pieces_out);

  if (verdict != whole_verdict) std::abort();
  if (whole_verdict == RequestFramer::Verdict::kOk && pieces_out != whole_out) std::abort();
  size_t ours = 0;
  for (size_t at = whole_out.find("\r\nx-peer: gate 1.2.3.4\r\n"); at != std::string::npos;
       at = whole_out.find("\r\nx-peer: gate 1.2.3.4\r\n", at + 1)) {
    ++ours;
  }
  if (ours < whole.requests()) std::abort();
  return 0;
}
