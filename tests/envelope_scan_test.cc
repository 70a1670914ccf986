// EnvelopeScanner: the replays' simdjson reader of envelopes gives what DecodeEnvelope and
// events::Decode give, for every event type, for mistyped fields, and refuses what they refuse.
#include "adapters/envelope_scan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/event_codec.h"
#include "tests/support/envelope_reading.h"
#include "tests/support/event_payloads.h"

namespace helpdesk {
namespace {

using nlohmann::json;

RecordedEvent Sample(const std::string& type, json data) {
  RecordedEvent r;
  r.position = 4'000'000'007;
  r.partition = 2;
  r.stream_version = 3;
  r.event.id = "ev-1";
  r.event.stream = "conversation/c1";
  r.event.type = type;
  r.event.at = *ParseRfc3339("2026-12-05T10:11:12.345Z");
  r.event.actor = Actor::User("ana");
  r.event.data = std::move(data);
  r.event.prev_hash = "p";
  r.event.hash = "h";
  return r;
}

// Scans `bytes` twice: without spare room after them (copied) and with it (read in place).
void ExpectScansAsDecoded(const std::string& bytes) {
  auto decoded = DecodeEnvelope(bytes);
  ASSERT_TRUE(decoded.ok()) << bytes;
  const RecordedEvent& want = decoded.value();
  std::string padded;
  padded.reserve(bytes.size() + EnvelopeScanner::kPadding);
  padded = bytes;
  std::string tight = bytes;
  tight.shrink_to_fit();
  EnvelopeScanner scanner;
  for (const std::string* in : {&tight, &padded}) {
    ScannedEvent got;
    ASSERT_TRUE(scanner.Scan(*in, "conversation/", &got).ok()) << bytes;
    EXPECT_EQ(testing::Reading(got.recorded, got.event),
              testing::Reading(want, events::Decode(want.event)))
        << bytes;
    RecordedEvent whole;
    ASSERT_TRUE(scanner.Decode(*in, &whole).ok()) << bytes;
    EXPECT_EQ(testing::WholeReading(whole), testing::WholeReading(want)) << bytes;
    auto fast = DecodeEnvelopeFast(*in);
    ASSERT_TRUE(fast.ok());
    EXPECT_EQ(testing::WholeReading(fast.value()), testing::WholeReading(want)) << bytes;
  }
}

TEST(EnvelopeScan, EveryEventTypeReadsAsDecodeEnvelopeAndDecodeReadIt) {
  for (const auto& [type, payload] : testing::kEventPayloads) {
    SCOPED_TRACE(type);
    ExpectScansAsDecoded(EncodeEnvelope(Sample(type, json::parse(payload))));
  }
}

TEST(EnvelopeScan, MistypedAndOddFieldsReadAsNlohmannReadsThem) {
  const std::vector<std::pair<const char*, json>> odd = {
      {"ConversationOpened", {{"conversation_id", 7}, {"team_id", false}}},
      {"MessageReceived", {{"sent_at", "not a time"}, {"attachments", "none"}}},
      {"UserCreated", {{"teams", json::array({"a", 1, "b", nullptr})}, {"role", 3}}},
      {"ProtocolIssued", {{"year", 2026.0}, {"number", 18446744073709551615ull}}},
      {"ProtocolIssued", {{"year", -12}, {"number", -1}}},
      {"ConversationRead", {{"unread", 1e3}, {"user_id", json::array()}}},
      {"ContactUpdated", {{"name", nullptr}, {"attributes", {{"a", {{"b", json::array({1.5})}}}}}}},
      {"ConversationTagged", json::object()},
      {"ConversationTagged", json::array({"vip"})},
      {"SomethingNew", {{"x", 1}}},
  };
  for (const auto& [type, data] : odd) {
    SCOPED_TRACE(std::string(type) + " " + data.dump());
    ExpectScansAsDecoded(EncodeEnvelope(Sample(type, data)));
  }
}

TEST(EnvelopeScan, OnlyTheStreamsAskedForHaveTheirPayloadDecoded) {
  const std::string bytes = EncodeEnvelope(Sample("ConversationTagged", {{"tag", "vip"}}));
  EnvelopeScanner scanner;
  ScannedEvent got;
  ASSERT_TRUE(scanner.Scan(bytes, "contact/", &got).ok());
  EXPECT_FALSE(got.event.has_value());
  EXPECT_EQ(got.recorded.event.type, "ConversationTagged");
  ASSERT_TRUE(scanner.Scan(bytes, "conversation/", &got).ok());
  EXPECT_EQ(testing::TypedText(got.event), R"({"tag":"vip"})");
}

TEST(EnvelopeScan, RefusesWhatDecodeEnvelopeRefuses) {
  json good = EnvelopeToJson(Sample("ConversationTagged", {{"tag", "vip"}}));
  std::vector<std::string> bad = {"", "[]", "{}", "{\"position\":1", "null", "\"text\""};
  for (const char* key : {"position", "stream_version", "id", "stream", "type", "at", "actor"}) {
    json missing = good;
    missing.erase(key);
    bad.push_back(missing.dump());
  }
  for (const auto& [key, value] :
       std::vector<std::pair<const char*, json>>{{"position", -1},
                                                 {"position", "1"},
                                                 {"stream_version", 1.5},
                                                 {"schema_version", "1"},
                                                 {"id", 5},
                                                 {"at", "yesterday"},
                                                 {"actor", "ana"},
                                                 {"actor", {{"type", 1}, {"id", "ana"}}},
                                                 {"actor", {{"type", "user"}}}}) {
    json wrong = good;
    wrong[key] = value;
    bad.push_back(wrong.dump());
  }
  EnvelopeScanner scanner;
  for (const std::string& bytes : bad) {
    SCOPED_TRACE(bytes);
    EXPECT_FALSE(DecodeEnvelope(bytes).ok());
    ScannedEvent got;
    EXPECT_FALSE(scanner.Scan(bytes, "conversation/", &got).ok());
    RecordedEvent whole;
    EXPECT_FALSE(scanner.Decode(bytes, &whole).ok());
    EXPECT_FALSE(DecodeEnvelopeFast(bytes).ok());
  }
  // And still reads a good one after them.
  ExpectScansAsDecoded(good.dump());
}

TEST(EnvelopeScan, RefusesNestingDeeperThanSimdjsonAllowsWhichDecodeEnvelopeReads) {
  // The rebuild of the reports reads such an event with DecodeEnvelope instead.
  json deep = json::array();
  for (int i = 0; i < 2000; ++i) deep = json::array({deep});
  const std::string bytes = EncodeEnvelope(Sample("MessageReceived", {{"attachments", deep}}));
  EXPECT_TRUE(DecodeEnvelope(bytes).ok());
  EnvelopeScanner scanner;
  ScannedEvent got;
  EXPECT_FALSE(scanner.Scan(bytes, "conversation/", &got).ok());
  RecordedEvent whole;
  EXPECT_FALSE(scanner.Decode(bytes, &whole).ok());
  EXPECT_TRUE(DecodeEnvelopeFast(bytes).ok());  // what the logs read with
}

TEST(EnvelopeScan, NumbersWithoutASignReadUnsignedAsNlohmannReadsThem) {
  const std::string bytes =
      EncodeEnvelope(Sample("ContactUpdated", {{"attributes", {{"n", 5}, {"m", -5}}}}));
  EnvelopeScanner scanner;
  ScannedEvent got;
  ASSERT_TRUE(scanner.Scan(bytes, "conversation/", &got).ok());
  const auto& updated = std::get<events::ContactUpdated>(*got.event);
  EXPECT_TRUE(updated.attributes["n"].is_number_unsigned());
  EXPECT_TRUE(updated.attributes["m"].is_number_integer());
  EXPECT_FALSE(updated.attributes["m"].is_number_unsigned());
}

// Found by fuzz_envelope_scan: simdjson reads -0 as the count 0, nlohmann as a signed integer
// (not a count). The scanner leaves any envelope that may hold it to DecodeEnvelope.
TEST(EnvelopeScan, LeavesNegativeZeroToDecodeEnvelope) {
  std::string count = EncodeEnvelope(Sample("ConversationTagged", {{"tag", "vip"}}));
  const size_t at = count.find("\"stream_version\":3");
  ASSERT_NE(at, std::string::npos);
  count.replace(at, 18, "\"stream_version\":-0");
  EXPECT_FALSE(DecodeEnvelope(count).ok());
  EnvelopeScanner scanner;
  ScannedEvent got;
  EXPECT_FALSE(scanner.Scan(count, "conversation/", &got).ok());

  // In a payload, or in a text that only looks like it: DecodeEnvelope reads both.
  for (const std::string& bytes :
       {EncodeEnvelope(Sample("ContactUpdated", {{"attributes", {{"n", 0}}}})),
        EncodeEnvelope(Sample("MessageReceived", {{"message_id", "m1"}, {"text", "a:-0,"}}))}) {
    std::string with_zero = bytes;
    const size_t n = with_zero.find("\"n\":0");
    if (n != std::string::npos) with_zero.replace(n, 5, "\"n\":-0");
    SCOPED_TRACE(with_zero);
    EXPECT_TRUE(DecodeEnvelope(with_zero).ok());
    EXPECT_FALSE(scanner.Scan(with_zero, "conversation/", &got).ok());
  }
  // Dates and ids with "-0" in them scan as before.
  ExpectScansAsDecoded(
      EncodeEnvelope(Sample("ConversationTagged", {{"tag", "2026-05-01"}, {"by", "id-07"}})));
}

// A key given twice: nlohmann keeps the last. The scanner's Decode leaves such an envelope to
// DecodeEnvelope, so the fast reading is nlohmann's, in the envelope and in the payload alike.
TEST(EnvelopeScan, DecodeLeavesAKeyGivenTwiceToDecodeEnvelope) {
  const std::string once = EncodeEnvelope(Sample("ConversationTagged", {{"tag", "vip"}}));
  std::vector<std::string> twice = {once, once, once};
  twice[0].replace(twice[0].find("\"tag\":\"vip\""), 11, R"("tag":"a","tag":"b")");
  twice[1].replace(twice[1].find("\"stream_version\":3"), 18,
                   R"("stream_version":3,"stream_version":4)");
  twice[2].replace(twice[2].find("\"actor\":{"), 9, R"("actor":{"id":"x",)");
  EnvelopeScanner scanner;
  for (const std::string& bytes : twice) {
    SCOPED_TRACE(bytes);
    auto want = DecodeEnvelope(bytes);
    ASSERT_TRUE(want.ok());
    RecordedEvent whole;
    EXPECT_FALSE(scanner.Decode(bytes, &whole).ok());
    auto fast = DecodeEnvelopeFast(bytes);
    ASSERT_TRUE(fast.ok());
    EXPECT_EQ(testing::WholeReading(fast.value()), testing::WholeReading(want.value()));
  }
  EXPECT_EQ(DecodeEnvelopeFast(twice[0]).value().event.data["tag"], "b");
  EXPECT_EQ(DecodeEnvelopeFast(twice[1]).value().stream_version, 4u);
}

}  // namespace
}  // namespace helpdesk
