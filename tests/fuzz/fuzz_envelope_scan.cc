// libFuzzer target: the replays' simdjson reader of envelopes (adapters/envelope_scan.h: Scan, and
// Decode for whole envelopes) against nlohmann's DecodeEnvelope, on any bytes. Whatever the scanner
// accepts, DecodeEnvelope accepts too and reads the same: the same envelope fields and the same
// typed event. The scanner may refuse more (nesting past simdjson's depth, numbers past 64 bits): a
// replay then reads those with DecodeEnvelope. Objects with a key twice are left out of the
// comparison: the header says the two parsers may keep different ones, and no writer of ours makes
// them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "adapters/envelope_scan.h"
#include "adapters/event_codec.h"
#include "tests/support/envelope_reading.h"

namespace {

using nlohmann::json;

// A SAX pass that only notes whether some object holds a key twice.
class DuplicateKeys : public nlohmann::json_sax<json> {
 public:
  bool found = false;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    keys_.emplace_back();
    return true;
  }
  bool key(string_t& k) override {
    if (!keys_.back().insert(k).second) found = true;
    return true;
  }
  bool end_object() override {
    keys_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  std::vector<std::set<std::string>> keys_;
};

bool HasDuplicateKeys(const std::string& bytes) {
  DuplicateKeys sax;
  json::sax_parse(bytes, &sax, nlohmann::detail::input_format_t::json, false);
  return sax.found;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static helpdesk::EnvelopeScanner scanner;
  const std::string tight(reinterpret_cast<const char*>(data), size);
  std::string padded;
  padded.reserve(size + helpdesk::EnvelopeScanner::kPadding);
  padded = tight;
  for (const std::string* in : {&tight, static_cast<const std::string*>(&padded)}) {
    helpdesk::ScannedEvent got;
    if (!scanner.Scan(*in, "", &got).ok()) continue;
    auto decoded = helpdesk::DecodeEnvelope(tight);
    if (!decoded.ok()) std::abort();  // the scanner accepted what DecodeEnvelope refuses
    if (!HasDuplicateKeys(tight) &&
        helpdesk::testing::Reading(got.recorded, got.event) !=
            helpdesk::testing::Reading(decoded.value(),
                                       helpdesk::events::Decode(decoded.value().event))) {
      std::abort();  // the two read it differently
    }
  }
  // The whole envelope (Decode, what replays read with): whatever it accepts, DecodeEnvelope reads
  // the same, the payload's tree and the kinds of its numbers included. No exception here: Decode
  // refuses every key given twice.
  for (const std::string* in : {&tight, static_cast<const std::string*>(&padded)}) {
    helpdesk::RecordedEvent whole;
    if (!scanner.Decode(*in, &whole).ok()) continue;
    auto decoded = helpdesk::DecodeEnvelope(tight);
    if (!decoded.ok()) std::abort();  // Decode accepted what DecodeEnvelope refuses
    if (helpdesk::testing::WholeReading(whole) !=
        helpdesk::testing::WholeReading(decoded.value())) {
      std::abort();  // the two read it differently
    }
  }
  return 0;
}
