// AppendJson and AppendJsonString against the library's dump(): the same bytes for every kind
// of value and every byte of a string, and the same error for text that is not UTF-8.
#include "domain/json_text.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>

namespace helpdesk {
namespace {

std::string Dumped(const nlohmann::json& v) {
  std::string out = "prefix:";
  AppendJson(out, v);
  return out;
}

TEST(JsonText, WritesEveryKindOfValueAsDumpDoes) {
  const nlohmann::json values[] = {
      nullptr,
      true,
      false,
      0,
      -1,
      std::numeric_limits<int64_t>::min(),
      std::numeric_limits<int64_t>::max(),
      std::numeric_limits<uint64_t>::max(),
      1.5,
      -0.0,
      1e300,
      0.1,
      std::numeric_limits<double>::quiet_NaN(),
      "",
      "plain",
      "não está: ação, 日本語, 😀",
      "quote \" backslash \\ slash / tab \t newline \n cr \r bs \b ff \f nul " +
          std::string(1, '\0'),
      "\x01\x1f\x7f",
      nlohmann::json::object(),
      nlohmann::json::array(),
      {{"z", 1},
       {"a", {1, 2.25, "x", nullptr, {{"k\"ey", false}}}},
       {"é", nlohmann::json::array()}},
      nlohmann::json::parse(R"({"text":"Olá","attachments":[{"size":12,"ratio":0.5}],"n":-7})"),
  };
  for (const nlohmann::json& v : values) {
    EXPECT_EQ(Dumped(v), "prefix:" + v.dump()) << v.dump();
    EXPECT_EQ(DumpJson(v), v.dump());
  }
}

TEST(JsonText, EscapesEveryByteAsDumpDoes) {
  for (int c = 1; c < 0x80; ++c) {
    const std::string s = "a" + std::string(1, static_cast<char>(c)) + "b";
    std::string out;
    AppendJsonString(out, s);
    EXPECT_EQ(out, nlohmann::json(s).dump()) << c;
  }
}

TEST(JsonText, FindsATrickyByteAtEveryOffsetOfTheFastScan) {
  const char tricky[] = {'\0', '\n', '\x1f', '"', '\\', '\x7f'};
  for (size_t length : {15, 16, 17, 31, 32, 33, 48}) {
    for (size_t at = 0; at < length; ++at) {
      for (char c : tricky) {
        std::string s(length, 'x');
        s[at] = c;
        std::string out;
        AppendJsonString(out, s);
        ASSERT_EQ(out, nlohmann::json(s).dump()) << length << " " << at << " " << int(c);
      }
      std::string accented(length, 'x');  // a two-byte sequence across a chunk's edge
      if (at + 1 < length) accented.replace(at, 2, "\xc3\xa3");
      std::string out;
      AppendJsonString(out, accented);
      ASSERT_EQ(out, nlohmann::json(accented).dump()) << length << " " << at;
    }
  }
}

TEST(JsonText, AgreesWithDumpOnRandomBytes) {
  // Random short strings over a small alphabet of tricky bytes: controls, quotes, ASCII, lead and
  // continuation bytes of every length, bytes that never appear in UTF-8.
  const unsigned char alphabet[] = {0x00, 0x0a, 0x1f, '"',  '\\', 'a',  0x7f, 0x80,
                                    0x8f, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0,
                                    0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff};
  std::mt19937 random(42);
  int valid = 0, invalid = 0;
  for (int round = 0; round < 200000; ++round) {
    // Mostly plain text with a few tricky bytes, up to 40 long: the 16-byte scan's chunks and
    // the byte-by-byte tail both see them.
    std::string s(random() % 41, 'a');
    for (int k = static_cast<int>(random() % 4); k >= 0 && !s.empty(); --k) {
      s[random() % s.size()] = static_cast<char>(alphabet[random() % sizeof alphabet]);
    }
    std::string expected, got = "kept";
    bool library_threw = false;
    try {
      expected = nlohmann::json(s).dump();
    } catch (const nlohmann::json::type_error&) {
      library_threw = true;
    }
    try {
      AppendJsonString(got, s);
      ASSERT_FALSE(library_threw) << "accepted what the library refuses";
      ASSERT_EQ(got, "kept" + expected);
      ++valid;
    } catch (const nlohmann::json::type_error& e) {
      ASSERT_TRUE(library_threw) << "refused what the library accepts";
      EXPECT_EQ(e.id, 316);
      EXPECT_EQ(got, "kept");
      ++invalid;
    }
  }
  EXPECT_GT(valid, 1000);
  EXPECT_GT(invalid, 1000);
}

TEST(JsonText, ThrowsAsDumpDoesAndLeavesTheBufferAlone) {
  const nlohmann::json bad = {{"a", "fine"}, {"b", {"\xc3\x28"}}};
  std::string expected_what;
  try {
    (void)bad.dump();
  } catch (const nlohmann::json::type_error& e) {
    expected_what = e.what();
  }
  ASSERT_FALSE(expected_what.empty());
  std::string out = "{\"before\":";
  try {
    AppendJson(out, bad);
    FAIL() << "no error";
  } catch (const nlohmann::json::type_error& e) {
    EXPECT_EQ(e.what(), expected_what);
  }
  EXPECT_EQ(out, "{\"before\":");
}

}  // namespace
}  // namespace helpdesk
