// RequestFramer: a client's bytes cut into requests, with plain inputs.
#include "api/request_framer.h"

#include <gtest/gtest.h>

#include <string>

namespace helpdesk {
namespace {

using Verdict = RequestFramer::Verdict;

RequestFramer Framer(size_t max_head = 1024) {
  return RequestFramer(max_head, "x-peer", "s 1.2.3.4");
}

TEST(RequestFramer, AddsThePeerAndDropsTheClientsOwn) {
  RequestFramer f = Framer();
  std::string out;
  ASSERT_EQ(
      f.Feed("GET /a HTTP/1.1\r\nHost: h\r\nX-Peer: forged\r\nx-peer:forged too\r\n\r\n", out),
      Verdict::kOk);
  EXPECT_EQ(out, "GET /a HTTP/1.1\r\nx-peer: s 1.2.3.4\r\nHost: h\r\n\r\n");
  EXPECT_TRUE(f.BetweenRequests());
  EXPECT_EQ(f.requests(), 1u);
}

TEST(RequestFramer, BodiesPassAndTheNextHeadIsFoundWhateverTheCuts) {
  const std::string stream =
      "POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
      "GET /c HTTP/1.1\r\n\r\n";
  const std::string expected =
      "POST /b HTTP/1.1\r\nx-peer: s 1.2.3.4\r\nContent-Length: 5\r\n\r\nhello"
      "GET /c HTTP/1.1\r\nx-peer: s 1.2.3.4\r\n\r\n";
  // Every way of cutting the stream in two gives the same output.
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    RequestFramer f = Framer();
    std::string out;
    ASSERT_EQ(f.Feed(stream.substr(0, cut), out), Verdict::kOk) << cut;
    ASSERT_EQ(f.Feed(stream.substr(cut), out), Verdict::kOk) << cut;
    EXPECT_EQ(out, expected) << cut;
    EXPECT_EQ(f.requests(), 2u);
    EXPECT_TRUE(f.BetweenRequests());
  }
  // Byte by byte, too; in the body the framer says so.
  RequestFramer f = Framer();
  std::string out;
  bool saw_body = false;
  for (char c : stream) {
    ASSERT_EQ(f.Feed(std::string(1, c), out), Verdict::kOk);
    saw_body = saw_body || f.InBody();
  }
  EXPECT_EQ(out, expected);
  EXPECT_TRUE(saw_body);
}

TEST(RequestFramer, AHeadPastTheLimitIsRefusedEvenInPieces) {
  RequestFramer f = Framer(64);
  std::string out;
  EXPECT_EQ(f.Feed("GET / HTTP/1.1\r\n", out), Verdict::kOk);
  EXPECT_TRUE(f.InHead());
  EXPECT_EQ(f.Feed("X-A: " + std::string(40, 'a') + "\r\n", out), Verdict::kOk);
  EXPECT_EQ(f.Feed("X-B: " + std::string(40, 'b') + "\r\n", out), Verdict::kHeadTooLarge);
  EXPECT_TRUE(out.empty()) << "nothing of a refused head reaches the listener";
  // Exactly at the limit is fine.
  const std::string head = "GET / HTTP/1.1\r\nX: " + std::string(64 - 23, 'x') + "\r\n\r\n";
  ASSERT_EQ(head.size(), 64u);
  RequestFramer g = Framer(64);
  EXPECT_EQ(g.Feed(head, out), Verdict::kOk);
  RequestFramer h = Framer(63);
  EXPECT_EQ(h.Feed(head, out), Verdict::kHeadTooLarge);
}

TEST(RequestFramer, HeadsItCannotFrameAreRefused) {
  std::string out;
  EXPECT_EQ(Framer().Feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", out),
            Verdict::kChunked);
  EXPECT_EQ(Framer().Feed("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", out),
            Verdict::kBadHead);
  EXPECT_EQ(Framer().Feed("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", out), Verdict::kBadHead);
  EXPECT_EQ(Framer().Feed("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", out),
            Verdict::kBadHead);
  EXPECT_EQ(Framer().Feed("NOSPACE\r\n\r\n", out), Verdict::kBadHead);
  // A bare LF would split a line for the listener: a header could slip past the framer in it.
  EXPECT_EQ(Framer().Feed("GET / HTTP/1.1\r\nX-A: 1\nx-peer: forged\r\n\r\n", out),
            Verdict::kBadHead);
  EXPECT_EQ(Framer().Feed("GET / HTTP/1.1\r\nX-A: 1\rx\r\n\r\n", out), Verdict::kBadHead);
  EXPECT_EQ(Framer().Feed(std::string("GET / HTTP/1.1\r\nX-A: \0\r\n\r\n", 26), out),
            Verdict::kBadHead);
  // The same length twice is one length; blank lines before a request are skipped.
  RequestFramer f = Framer();
  out.clear();
  EXPECT_EQ(
      f.Feed("\r\n\r\nPUT / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok", out),
      Verdict::kOk);
  EXPECT_TRUE(f.BetweenRequests());
  EXPECT_EQ(out.substr(out.size() - 4), "\r\nok");
}

TEST(RequestFramer, ABodyPastTheRoutesLimitIsRefusedOnItsHead) {
  std::string seen_method, seen_target;
  const auto limit = [&](std::string_view method, std::string_view target) -> uint64_t {
    seen_method = method;
    seen_target = target;
    return target.rfind("/big", 0) == 0 ? 100 : 10;
  };
  std::string out;
  RequestFramer f(1024, "x-peer", "s", limit);
  EXPECT_EQ(f.Feed("POST /big?x=1 HTTP/1.1\r\nContent-Length: 100\r\n\r\n", out), Verdict::kOk);
  EXPECT_EQ(seen_method, "POST");
  EXPECT_EQ(seen_target, "/big?x=1");
  EXPECT_TRUE(f.InBody());
  out.clear();
  RequestFramer g(1024, "x-peer", "s", limit);
  EXPECT_EQ(g.Feed("POST /small HTTP/1.1\r\nContent-Length: 11\r\n\r\n01234567890", out),
            Verdict::kBodyTooLarge);
  EXPECT_TRUE(out.empty()) << out;
}

}  // namespace
}  // namespace helpdesk
