// GET /metrics against the real binary: who may read it, what it counts, and that Prometheus' own
// checker (promtool, from Debian's prometheus package) accepts the text.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/api_fixture.h"

namespace helpdesk::testing {
namespace {

constexpr const char* kScraperToken = "scraper-token-0123456789";

// The value of the sample written exactly as `series` (name and labels), or -1 when absent.
double SampleOf(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

// The sum of every sample of `name` whatever its labels (a family over partitions).
double SumOf(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  std::string line;
  double sum = 0;
  while (std::getline(lines, line)) {
    if (line.rfind(name + "{", 0) == 0 || line.rfind(name + " ", 0) == 0) {
      sum += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return sum;
}

class MetricsTest : public ApiTest {
 protected:
  void SetUp() override {
    const std::string token_file = dir_.path() + "/metrics.token";
    std::ofstream(token_file) << kScraperToken << "\n";
    server_ = std::make_unique<ServerProcess>(dir_.path() + "/data");
    server_->AddArgs({"--metrics-token-file", token_file});
    ASSERT_TRUE(server_->Start()) << "helpdeskd did not start";
  }
  HttpReply Scrape(const std::string& token) {
    return server().client().Send("GET", "/metrics", "", {{"Authorization", "Bearer " + token}});
  }
};

TEST_F(MetricsTest, OnlyAdminsAndTheScraperTokenReadTheFigures) {
  const std::string ana = CreateDeskWithAgentAna();
  auto anonymous = server().client().Send("GET", "/metrics");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.error_code(), "unauthorized");
  EXPECT_EQ(Scrape("not-a-token-at-all").status, 401);
  auto agent = Scrape(ana);
  EXPECT_EQ(agent.status, 403);
  EXPECT_EQ(agent.error_code(), "forbidden");

  auto scraper = Scrape(kScraperToken);
  ASSERT_EQ(scraper.status, 200) << scraper.body;
  EXPECT_EQ(scraper.headers["content-type"].rfind("text/plain; version=0.0.4", 0), 0u)
      << scraper.headers["content-type"];
  // The scraper's token is for /metrics only.
  EXPECT_EQ(As(kScraperToken, "GET", "/api/v1/conversations").status, 401);
  EXPECT_EQ(Admin("GET", "/metrics").status, 200);
}

TEST_F(MetricsTest, CountsRequestsByRouteAndCommandsByOutcome) {
  const std::string ana = CreateDeskWithAgentAna();
  const std::string id = Inbound("wa", "wamid.1", "+5511999990001")["conversation_id"];
  EXPECT_EQ(As(ana, "POST", "/api/v1/conversations/" + id + "/take").status, 200);
  EXPECT_EQ(As(ana, "POST", "/api/v1/conversations/" + id + "/take").status, 409);
  EXPECT_EQ(As(ana, "GET", "/api/v1/conversations/nope").status, 404);
  EXPECT_EQ(As(ana, "GET", "/api/v1/nothing/here").status, 404);
  EXPECT_EQ(As("wrong-token", "GET", "/api/v1/conversations").status, 401);

  const std::string text = Scrape(kScraperToken).body;
  // Paths are labelled by their documented template, never by the id in them.
  EXPECT_EQ(SampleOf(text,
                     "helpdesk_http_requests_total{method=\"POST\",route=\"/api/v1/"
                     "channels/{channel_id}/inbound\",status=\"201\"}"),
            1);
  EXPECT_EQ(SampleOf(text,
                     "helpdesk_http_requests_total{method=\"POST\",route=\"/api/v1/"
                     "conversations/{conversation_id}/take\",status=\"200\"}"),
            1);
  EXPECT_EQ(SampleOf(text,
                     "helpdesk_http_requests_total{method=\"POST\",route=\"/api/v1/"
                     "conversations/{conversation_id}/take\",status=\"409\"}"),
            1);
  EXPECT_EQ(SampleOf(text,
                     "helpdesk_http_requests_total{method=\"GET\",route=\"/api/v1/"
                     "conversations/{conversation_id}\",status=\"404\"}"),
            1);
  EXPECT_EQ(SampleOf(text,
                     "helpdesk_http_requests_total{method=\"GET\",route=\"undocumented\","
                     "status=\"404\"}"),
            1);
  // Refused at the door, before any of it was read.
  EXPECT_EQ(SampleOf(text,
                     "helpdesk_http_requests_total{method=\"GET\",route=\"/api/v1/"
                     "conversations\",status=\"401\"}"),
            1);
  EXPECT_EQ(text.find(id), std::string::npos) << "an id leaked into a label";
  EXPECT_EQ(SampleOf(text, "helpdesk_commands_total{type=\"take\",outcome=\"ok\"}"), 1);
  EXPECT_EQ(SampleOf(text, "helpdesk_commands_total{type=\"take\",outcome=\"invalid_transition\"}"),
            1);
  EXPECT_EQ(SampleOf(text, "helpdesk_commands_total{type=\"receive_inbound\",outcome=\"ok\"}"), 1);
  // Every command that wrote events waited for its append.
  EXPECT_GE(SampleOf(text, "helpdesk_log_append_duration_seconds_count"), 5);
  EXPECT_EQ(SampleOf(text, "helpdesk_command_duration_seconds_count"), 6);
  EXPECT_EQ(SampleOf(text, "helpdesk_views_lag_events") >= 0, true);
  // Five commands wrote events (on Kafka, spread over the partitions).
  EXPECT_GE(SumOf(text, "helpdesk_log_head"), 5);
  EXPECT_GE(SumOf(text, "helpdesk_views_applied"), 5);
  EXPECT_EQ(SampleOf(text, "helpdesk_live_streams"), 0);
  EXPECT_GE(SampleOf(text, "helpdesk_delivery_queue"), 0);
}

TEST_F(MetricsTest, PromtoolAcceptsTheText) {
  const std::string ana = CreateDeskWithAgentAna();
  const std::string id = Inbound("wa", "wamid.1", "+5511999990001")["conversation_id"];
  As(ana, "POST", "/api/v1/conversations/" + id + "/take");
  As(ana, "GET", "/api/v1/conversations?view=mine");
  auto scraped = Scrape(kScraperToken);
  ASSERT_EQ(scraped.status, 200);
  const std::string file = dir_.path() + "/metrics.txt";
  std::ofstream(file) << scraped.body;
  // Lint problems (a counter without _total, a unit spelled wrong…) fail the check too.
  const std::string command = "promtool check metrics < '" + file + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe)) output += buffer;
  const int status = pclose(pipe);
  EXPECT_EQ(status, 0) << "promtool (scripts/setup installs Debian's prometheus):\n" << output;
}

TEST_F(ApiTest, MetricsOffIsNoRoute) {
  server().Stop();
  server().AddArgs({"--no-metrics"});
  ASSERT_TRUE(server().Start());
  EXPECT_EQ(Admin("GET", "/metrics").status, 404);
}

}  // namespace
}  // namespace helpdesk::testing
