// The reports over HTTP against the real binary: local hours in any time zone, shifts, the
// weekday × hour grid, the overview with first response and resolution, agents, teams,
// channels and tags, CSV, filters, permissions and bad input; and the Python example in
// docs/examples computing the same peak hours from the exported log.
#include <rocksdb/write_batch.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "domain/report_rules.h"
#include "domain/time.h"
#include "projections/view_keys.h"
#include "projections/view_store.h"
#include "tests/api_fixture.h"

namespace helpdesk::testing {
namespace {

std::string Ago(int seconds) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return FormatRfc3339(Timestamp{now.count() - seconds * 1000LL});
}

// Monday 2025-03-10, UTC: customer messages at 09:10 and 13:20 on ch1, 21:40 on ch2.
constexpr const char* kDay = "from=2025-03-10T00:00:00Z&to=2025-03-11T00:00:00Z";

class ReportsTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    CreateChannel("ch1");
    CreateChannel("ch2", "sms");
    CreateTeam("t1");
    agent_ = CreateUser("u1", "agent", json::array({"t1"}));
    analyst_ = CreateUser("an1", "analyst");
    Inbound("ch1", "a1", "+5511900000001", "morning", "Ana", "2025-03-10T09:10:00Z");
    Inbound("ch1", "b1", "+5511900000002", "afternoon", "Bia", "2025-03-10T13:20:00Z");
    last_ = Inbound("ch2", "c1", "+5511900000003", "night", "Caio", "2025-03-10T21:40:00Z");
  }
  HttpReply Report(const std::string& name, const std::string& query,
                   std::map<std::string, std::string> headers = {}) {
    return As(analyst_, "GET", "/api/v1/reports/" + name + "?" + query, nullptr,
              std::move(headers));
  }
  static std::array<int64_t, 24> Hours(const json& body) {
    std::array<int64_t, 24> hours{};
    EXPECT_EQ(body["buckets"].size(), 24u) << body;
    for (const auto& b : body["buckets"]) hours[b["hour"].get<int>()] = b["received"];
    return hours;
  }
  // A conversation worked today: the customer wrote `waited` seconds ago; it goes to team t1,
  // u1 takes it, tags it, answers and closes it.
  std::string WorkOneNow(int waited) {
    const json in = Inbound("ch1", "now-1", "+5511900000009", "help", "Davi", Ago(waited));
    const std::string id = in["conversation_id"];
    const std::string base = "/api/v1/conversations/" + id;
    EXPECT_EQ(Admin("POST", base + "/transfer", {{"team_id", "t1"}}).status, 200);
    EXPECT_EQ(As(agent_, "POST", base + "/take").status, 200);
    EXPECT_EQ(As(agent_, "POST", base + "/tags", {{"tag", "vip"}}).status, 200);
    EXPECT_EQ(As(agent_, "POST", base + "/messages", {{"text", "on it"}}).status, 201);
    auto closed = As(agent_, "POST", base + "/close", {{"reason", "solved"}});
    EXPECT_EQ(closed.status, 200);
    position_ = closed.headers["x-position"];
    return id;
  }
  std::string Today() { return "from=" + Ago(3600) + "&to=" + Ago(-3600); }

  std::string agent_, analyst_, position_;
  json last_;
};

TEST_F(ReportsTest, PeakHoursShiftsAndVolumeInLocalTime) {
  EXPECT_EQ(Hours(Report("peak-hours", kDay).json())[9], 1);
  auto utc = Hours(Report("peak-hours", kDay).json());
  EXPECT_EQ(utc[13], 1);
  EXPECT_EQ(utc[21], 1);
  // São Paulo is -03:00 (no daylight saving since 2019): 06:10, 10:20, 18:40.
  auto sp = Hours(Report("peak-hours", std::string(kDay) + "&tz=America/Sao_Paulo").json());
  EXPECT_EQ(sp[6], 1);
  EXPECT_EQ(sp[10], 1);
  EXPECT_EQ(sp[18], 1);
  auto shifts = Report("shifts", std::string(kDay) + "&tz=America/Sao_Paulo").json();
  EXPECT_EQ(shifts["morning"], 2);
  EXPECT_EQ(shifts["afternoon"], 0);
  EXPECT_EQ(shifts["night"], 1);
  // Kathmandu is +05:45: Monday 14:55 and 19:05 … and Tuesday 03:25.
  auto volume = Report("volume", std::string(kDay) + "&tz=Asia/Kathmandu");
  ASSERT_EQ(volume.status, 200) << volume.body;
  std::map<std::pair<int, int>, int64_t> cells;
  int64_t total = 0;
  const json grid = volume.json();  // kept alive: the loop walks into it
  for (const auto& c : grid["cells"]) {
    cells[{c["weekday"].get<int>(), c["hour"].get<int>()}] = c["conversations"];
    total += c["conversations"].get<int64_t>();
  }
  EXPECT_EQ(cells.size(), 168u);
  EXPECT_EQ(total, 3);
  EXPECT_EQ((cells[{1, 14}]), 1);
  EXPECT_EQ((cells[{1, 19}]), 1);
  EXPECT_EQ((cells[{2, 3}]), 1);
}

// A date whose midnight the clock jumps over (Santiago, 2026-09-06: 00:00 is 01:00) begins at
// its first instant, 04:00Z; the day used to begin at 03:00Z, Saturday 23:00 there.
TEST_F(ReportsTest, ADayWhoseMidnightIsSkippedBeginsAtItsFirstInstant) {
  Inbound("ch1", "sat", "+5511900000010", "late", "Eva", "2026-09-06T03:30:00Z");
  auto sunday = Report("peak-hours", "from=2026-09-06&to=2026-09-07&tz=America/Santiago");
  ASSERT_EQ(sunday.status, 200) << sunday.body;
  EXPECT_EQ(sunday.json()["from"], "2026-09-06T04:00:00Z");
  EXPECT_EQ(Hours(sunday.json())[23], 0) << "Saturday's message is not Sunday's";
  auto saturday = Report("peak-hours", "from=2026-09-05&to=2026-09-06&tz=America/Santiago");
  EXPECT_EQ(Hours(saturday.json())[23], 1);
}

TEST_F(ReportsTest, FiltersByChannelAndTeam) {
  auto ch2 = Hours(Report("peak-hours", std::string(kDay) + "&channel_id=ch2").json());
  EXPECT_EQ(ch2[21], 1);
  EXPECT_EQ(ch2[9], 0);
  auto t1 = Hours(Report("peak-hours", std::string(kDay) + "&team_id=t1").json());
  for (int64_t n : t1) EXPECT_EQ(n, 0);  // nothing was in t1's queue that day
  auto none = Report("overview", std::string(kDay) + "&channel_id=ch1&team_id=t1");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.json()["opened"], 0);
  EXPECT_EQ(Report("overview", std::string(kDay) + "&channel_id=ch1").json()["opened"], 2);
}

TEST_F(ReportsTest, OverviewAgentsTeamsChannelsAndTags) {
  WorkOneNow(120);
  const std::map<std::string, std::string> seen{{"X-Min-Position", position_}};
  auto overview = Report("overview", Today(), seen);
  ASSERT_EQ(overview.status, 200) << overview.body;
  const json o = overview.json();
  EXPECT_EQ(o["opened"], 1);
  EXPECT_EQ(o["closed"], 1);
  EXPECT_EQ(o["reopened"], 0);
  EXPECT_EQ(o["by_close_reason"], json({{"solved", 1}}));
  // The customer waited 120 s (plus the test's own latency) for the first reply.
  const int64_t first = o["first_response_seconds"]["median"];
  EXPECT_GE(first, 118);
  EXPECT_LE(first, 150);
  EXPECT_EQ(o["first_response_seconds"]["p90"], first);
  EXPECT_GE(o["resolution_seconds"]["median"].get<int64_t>(), first - 2);

  auto agents = Report("agents", Today(), seen).json()["items"];
  ASSERT_EQ(agents.size(), 1u) << agents;
  EXPECT_EQ(agents[0]["user_id"], "u1");
  EXPECT_EQ(agents[0]["assigned"], 1);
  EXPECT_EQ(agents[0]["closed"], 1);
  EXPECT_EQ(agents[0]["replies"], 1);
  EXPECT_EQ(agents[0]["first_response_seconds"]["median"], first);

  auto teams = Report("teams", Today(), seen).json()["items"];
  ASSERT_EQ(teams.size(), 1u) << teams;
  EXPECT_EQ(teams[0]["team_id"], "t1");
  EXPECT_EQ(teams[0]["closed"], 1);
  EXPECT_EQ(teams[0]["opened"], 0);  // it opened before it came to t1
  auto in_team = Report("overview", Today() + "&team_id=t1", seen).json();
  EXPECT_EQ(in_team["closed"], 1);
  EXPECT_EQ(in_team["first_response_seconds"]["median"], first);

  auto channels = Report("channels", Today(), seen).json()["items"];
  ASSERT_EQ(channels.size(), 1u) << channels;
  EXPECT_EQ(channels[0]["channel_id"], "ch1");
  EXPECT_EQ(channels[0]["received"], 1);

  auto tags = Report("tags", Today(), seen).json()["items"];
  ASSERT_EQ(tags.size(), 1u) << tags;
  EXPECT_EQ(tags[0], json({{"tag", "vip"}, {"tagged", 1}, {"closed", 1}}));
}

TEST_F(ReportsTest, CsvWithAcceptTextCsv) {
  auto csv = Report("peak-hours", kDay, {{"Accept", "text/csv"}});
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.headers["content-type"].rfind("text/csv", 0), 0u);
  EXPECT_EQ(csv.body.rfind("hour,received\r\n0,0\r\n", 0), 0u) << csv.body;
  EXPECT_NE(csv.body.find("\r\n9,1\r\n"), std::string::npos);
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 25);
  auto shifts = Report("shifts", kDay, {{"Accept", "text/csv"}});
  EXPECT_EQ(shifts.body, "shift,received\r\nmorning,1\r\nafternoon,1\r\nnight,1\r\n");
  WorkOneNow(30);
  auto agents = Report("agents", Today(), {{"Accept", "text/csv"}, {"X-Min-Position", position_}});
  EXPECT_EQ(agents.body.rfind("user_id,assigned,closed,replies,", 0), 0u) << agents.body;
  EXPECT_NE(agents.body.find("\r\nu1,1,1,1,"), std::string::npos) << agents.body;
}

TEST_F(ReportsTest, BadInputAndPermissions) {
  auto code = [](const HttpReply& r) { return r.json()["error"].value("code", ""); };
  auto bad_tz = Report("peak-hours", std::string(kDay) + "&tz=Mars/Olympus");
  EXPECT_EQ(bad_tz.status, 400);
  EXPECT_EQ(code(bad_tz), "invalid_field");
  EXPECT_NE(bad_tz.body.find("tz"), std::string::npos);
  EXPECT_EQ(Report("peak-hours", "from=yesterday").status, 400);
  EXPECT_EQ(Report("peak-hours", "from=2025-03-11T00:00:00Z&to=2025-03-10T00:00:00Z").status, 400);
  EXPECT_EQ(Report("peak-hours", "from=2020-01-01T00:00:00Z&to=2025-01-01T00:00:00Z").status, 400);
  auto unknown = Report("peak-hours", std::string(kDay) + "&channel_id=nope");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(code(unknown), "not_found");
  EXPECT_EQ(Report("peak-hours", std::string(kDay) + "&team_id=nope").status, 404);
  EXPECT_EQ(Report("no-such-report", kDay).status, 404);
  auto agent = As(agent_, "GET", "/api/v1/reports/overview?" + std::string(kDay));
  EXPECT_EQ(agent.status, 403);
  EXPECT_EQ(code(agent), "forbidden");
  EXPECT_EQ(Admin("GET", "/api/v1/reports/overview?" + std::string(kDay)).status, 200);
  EXPECT_EQ(As(analyst_, "POST", "/api/v1/reports/overview").status, 404);
  // Without from and to: the last 30 days.
  auto recent = Report("overview", "");
  ASSERT_EQ(recent.status, 200);
  EXPECT_EQ(recent.json()["opened"], 0);  // the 2025 messages are older
}

// docs/examples/peak_hours.py reads the NDJSON export and finds what the API answers.
TEST_F(ReportsTest, ANewDefinitionCountsThePastAgainWhileEverythingServes) {
  WorkOneNow(90);
  const std::string today = "from=" + Ago(3600) + "&to=" + Ago(-3600);
  const std::vector<std::string> queries = {kDay, today};
  std::vector<json> before;
  for (const std::string& q : queries) {
    auto r = Report("overview", q);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["definition_version"], kReportDefinitionVersion);
    EXPECT_EQ(r.json()["rebuilding"], false);
    before.push_back(r.json());
  }
  // As an older build leaves the views: its definition, and cells that are not this build's.
  server().Stop();
  {
    auto views = ViewStore::Open(server().data_dir() + "/views");
    ASSERT_TRUE(views.ok());
    rocksdb::WriteBatch stale;
    stale.Put(ViewStore::ReportDefinitionKey(), std::to_string(kReportDefinitionVersion - 1));
    stale.DeleteRange(view_keys::kReportCell, "r0");
    ASSERT_TRUE(views.value()->Commit(stale, views.value()->StoredOffset()).ok());
  }
  ASSERT_TRUE(server().Start());
  // Everything serves at once; the reports come back counted again, as they were.
  EXPECT_EQ(Admin("GET", "/api/v1/conversations?view=queue").status, 200);
  for (size_t i = 0; i < queries.size(); ++i) {
    json after;
    for (int attempt = 0; attempt < 200; ++attempt) {
      after = Report("overview", queries[i]).json();
      if (after["rebuilding"] == false) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(after["rebuilding"], false);
    EXPECT_EQ(after["definition_version"], kReportDefinitionVersion);
    EXPECT_EQ(after, before[i]);
  }
  // And count on from there.
  Inbound("ch1", "after-1", "+5511900000003", "again", "Caio", Ago(10));
  EXPECT_EQ(Report("overview", today).json()["received"].get<int>(),
            before[1]["received"].get<int>() + 1);
}

TEST_F(ReportsTest, PythonExampleMatchesTheApi) {
  const std::string query = std::string(kDay) + "&tz=Asia/Kathmandu";
  const json api = Report("peak-hours", query).json();
  const std::string out = RunExampleOnExport(
      "peak_hours.py --tz Asia/Kathmandu --from 2025-03-10T00:00:00Z --to 2025-03-11T00:00:00Z");
  const json script = json::parse(out, nullptr, false);
  EXPECT_EQ(script["buckets"], api["buckets"]) << out;
  EXPECT_EQ(Hours(script)[14], 1);
}

}  // namespace
}  // namespace helpdesk::testing
