// The pieces of GET /metrics on plain inputs: histogram buckets, the exposition text, and the
// documented route a path falls under.
#include <gtest/gtest.h>

#include "adapters/metrics.h"
#include "api/route_table.h"

namespace helpdesk {
namespace {

TEST(DurationHistogram, PutsEachDurationInTheFirstBucketAtOrAboveIt) {
  DurationHistogram h;
  h.Record(std::chrono::microseconds(500));  // exactly on the first bound
  h.Record(std::chrono::microseconds(501));
  h.Record(std::chrono::milliseconds(30));
  h.Record(std::chrono::seconds(60));      // past the last bound
  h.Record(std::chrono::nanoseconds(-5));  // a clock that stepped back counts as 0
  const auto s = h.Read();
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.counts[0], 2u);      // 0.0005 and 0
  EXPECT_EQ(s.counts[1], 1u);      // 0.001
  EXPECT_EQ(s.counts[6], 1u);      // 0.05
  EXPECT_EQ(s.counts.back(), 1u);  // +Inf
  EXPECT_NEAR(s.sum_seconds, 60.031001, 1e-9);
}

TEST(MetricsText, WritesFamiliesSamplesAndCumulativeBuckets) {
  MetricsText out;
  out.Family("x_total", "counter", "A help\nline with \\ in it.");
  out.Sample("x_total", {{"route", "/a/\"b\"\\c\nd"}}, 3);
  out.Sample("x_total", {}, 0.25);
  DurationHistogram h;
  h.Record(std::chrono::milliseconds(2));
  h.Record(std::chrono::milliseconds(20));
  out.Family("y_seconds", "histogram", "Durations.");
  out.Histogram("y_seconds", {{"m", "GET"}}, h.Read());
  const std::string& t = out.text();
  EXPECT_NE(t.find("# HELP x_total A help\\nline with \\\\ in it.\n# TYPE x_total counter\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("x_total{route=\"/a/\\\"b\\\"\\\\c\\nd\"} 3\n"), std::string::npos) << t;
  EXPECT_NE(t.find("x_total 0.25\n"), std::string::npos) << t;
  EXPECT_NE(t.find("y_seconds_bucket{m=\"GET\",le=\"0.001\"} 0\n"), std::string::npos) << t;
  EXPECT_NE(t.find("y_seconds_bucket{m=\"GET\",le=\"0.0025\"} 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("y_seconds_bucket{m=\"GET\",le=\"0.025\"} 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("y_seconds_bucket{m=\"GET\",le=\"+Inf\"} 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("y_seconds_sum{m=\"GET\"} 0.022\n"), std::string::npos) << t;
  EXPECT_NE(t.find("y_seconds_count{m=\"GET\"} 2\n"), std::string::npos) << t;
}

TEST(RouteTable, LiteralSegmentsWinOverParameters) {
  const RouteTable table({"/api/v1/contacts", "/api/v1/contacts/{contact_id}",
                          "/api/v1/contacts/import", "/api/v1/contacts/{contact_id}/notes"});
  auto match = [&](std::vector<std::string> path) {
    const size_t i = table.Match(path);
    return i == table.size() ? std::string("none") : table.Template(i);
  };
  EXPECT_EQ(match({"api", "v1", "contacts"}), "/api/v1/contacts");
  EXPECT_EQ(match({"api", "v1", "contacts", "import"}), "/api/v1/contacts/import");
  EXPECT_EQ(match({"api", "v1", "contacts", "c-1"}), "/api/v1/contacts/{contact_id}");
  EXPECT_EQ(match({"api", "v1", "contacts", "c-1", "notes"}),
            "/api/v1/contacts/{contact_id}/notes");
  EXPECT_EQ(match({"api", "v1", "contacts", "c-1", "deals"}), "none");
  EXPECT_EQ(match({}), "none");
}

TEST(RouteTable, TheContractsRoutesAreKnown) {
  const RouteTable& documented = RouteTable::Documented();
  ASSERT_GT(documented.size(), 50u);
  const size_t take = documented.Match({"api", "v1", "conversations", "c1", "take"});
  ASSERT_LT(take, documented.size());
  EXPECT_EQ(documented.Template(take), "/api/v1/conversations/{conversation_id}/take");
  const size_t health = documented.Match({"healthz"});
  ASSERT_LT(health, documented.size());
  EXPECT_EQ(documented.Template(health), "/healthz");
  const size_t metrics = documented.Match({"metrics"});
  ASSERT_LT(metrics, documented.size()) << "GET /metrics is in docs/openapi.yaml";
}

}  // namespace
}  // namespace helpdesk
