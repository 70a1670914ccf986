// Report cells on real RocksDB: measures added over several steps come back as reports in any
// time zone and with any filter; cells round-trip; a new report definition rebuilds the views.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "adapters/time_zone.h"
#include "projections/report_projector.h"
#include "projections/report_queries.h"
#include "projections/view_store.h"
#include "tests/support/temp_dir.h"

namespace helpdesk {
namespace {

using testing::TempDir;

Timestamp At(const std::string& rfc3339) { return *ParseRfc3339(rfc3339); }

ReportMeasure Received(const std::string& at, const std::string& channel,
                       std::optional<std::string> team = std::nullopt) {
  ReportMeasure m;
  m.at = At(at);
  m.channel_id = channel;
  m.team_id = std::move(team);
  m.received = 1;
  m.opened = 1;
  return m;
}

class ReportStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() { views_ = ViewStore::Open(dir_.path() + "/views").value(); }
  // One projection step holding `measures`.
  void Step(const std::vector<ReportMeasure>& measures) {
    ViewTxn txn(views_->db());
    ReportAccumulator reports(txn);
    for (const auto& m : measures) reports.Add(m);
    reports.Flush(txn);
    rocksdb::WriteBatch batch = txn.ToWriteBatch();
    ASSERT_TRUE(views_->Commit(batch, ConsistencyToken::Single(++steps_)).ok());
  }
  ReportRange Range(const std::string& from, const std::string& to, ReportDimension d = {}) {
    return ReportRange{At(from), At(to), std::move(d)};
  }
  static int64_t ReceivedAt(const LocalHourCounts& c, int hour) {
    int64_t n = 0;
    for (int day = 0; day < 7; ++day) n += c.received[day][hour];
    return n;
  }

  TempDir dir_;
  std::unique_ptr<ViewStore> views_;
  uint64_t steps_ = 0;
};

TEST_F(ReportStoreTest, LocalHoursInWholeHalfAndQuarterHourZones) {
  Step({Received("2026-11-23T10:00:00Z", "ch1"), Received("2026-11-23T10:14:59Z", "ch1")});
  Step({Received("2026-11-23T10:15:00Z", "ch1"), Received("2026-11-23T10:50:00Z", "ch1")});
  ReportQueries q(*views_);
  auto range = Range("2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z");
  auto utc = q.ByLocalHour(range, TimeZone::Find("UTC").value());
  EXPECT_EQ(ReceivedAt(utc, 10), 4);
  EXPECT_EQ(utc.received[1][10], 4);  // a Monday
  // Kolkata +05:30: 10:00 and 10:14 UTC are 15:30 and 15:44; 10:15 is 15:45; 10:50 is 16:20.
  auto kolkata = q.ByLocalHour(range, TimeZone::Find("Asia/Kolkata").value());
  EXPECT_EQ(ReceivedAt(kolkata, 15), 3);
  EXPECT_EQ(ReceivedAt(kolkata, 16), 1);
  // Kathmandu +05:45: 15:45, 15:59, 16:00, 16:35.
  auto kathmandu = q.ByLocalHour(range, TimeZone::Find("Asia/Kathmandu").value());
  EXPECT_EQ(ReceivedAt(kathmandu, 15), 2);
  EXPECT_EQ(ReceivedAt(kathmandu, 16), 2);
  EXPECT_EQ(kathmandu.opened[1][16], 2);
}

TEST_F(ReportStoreTest, DaylightSavingMovesTheLocalHour) {
  // New York: EST (-05:00) until 2026-03-08 07:00 UTC, EDT (-04:00) after.
  Step({Received("2026-03-07T15:00:00Z", "ch1"), Received("2026-03-09T15:00:00Z", "ch1")});
  ReportQueries q(*views_);
  auto ny = q.ByLocalHour(Range("2026-03-01T00:00:00Z", "2026-03-15T00:00:00Z"),
                          TimeZone::Find("America/New_York").value());
  EXPECT_EQ(ny.received[6][10], 1);  // Saturday 10:00 EST
  EXPECT_EQ(ny.received[1][11], 1);  // Monday 11:00 EDT
}

TEST_F(ReportStoreTest, RangeIsHalfOpenAndFiltersPickTheirCells) {
  Step({Received("2026-11-23T09:59:00Z", "ch1", "t1"),
        Received("2026-11-23T10:00:00Z", "ch1", "t1"),
        Received("2026-11-23T10:30:00Z", "ch2", "t1"), Received("2026-11-23T10:45:00Z", "ch2"),
        Received("2026-11-23T11:00:00Z", "ch1")});
  ReportQueries q(*views_);
  const std::string from = "2026-11-23T10:00:00Z", to = "2026-11-23T11:00:00Z";
  EXPECT_EQ(q.Totals(Range(from, to)).received, 3);
  EXPECT_EQ(q.Totals(Range(from, to, {std::string("ch1"), std::nullopt})).received, 1);
  EXPECT_EQ(q.Totals(Range(from, to, {std::string("ch2"), std::nullopt})).received, 2);
  EXPECT_EQ(q.Totals(Range(from, to, {std::nullopt, std::string("t1")})).received, 2);
  EXPECT_EQ(q.Totals(Range(from, to, {std::string("ch2"), std::string("t1")})).received, 1);
  EXPECT_EQ(q.Totals(Range(from, to, {std::string("ch3"), std::nullopt})).received, 0);
  auto channels = q.Channels(Range(from, to));
  EXPECT_EQ(channels["ch1"].received, 1);
  EXPECT_EQ(channels["ch2"].received, 2);
  auto teams = q.Teams(Range(from, to));
  EXPECT_EQ(teams.size(), 1u);
  EXPECT_EQ(teams["t1"].received, 2);
}

TEST_F(ReportStoreTest, AgentsTagsAndQuantilesAddUpAcrossSteps) {
  ReportMeasure reply;
  reply.at = At("2026-11-23T10:00:00Z");
  reply.channel_id = "ch1";
  reply.agent_id = "u1";
  reply.replies = 1;
  reply.first_response_seconds = 30;
  ReportMeasure close = reply;
  close.replies = 0;
  close.first_response_seconds.reset();
  close.closed = 1;
  close.agent_closed = 1;
  close.close_reason = "solved";
  close.resolution_seconds = 600;
  close.closed_tags = {"vip"};
  Step({reply, close});
  reply.agent_id = "u2";
  reply.first_response_seconds = 50;
  reply.at = At("2026-11-24T10:00:00Z");
  Step({reply});
  ReportQueries q(*views_);
  auto range = Range("2026-11-23T00:00:00Z", "2026-11-25T00:00:00Z");
  auto totals = q.Totals(range);
  EXPECT_EQ(totals.closed, 1);
  EXPECT_EQ(totals.close_reasons["solved"], 1);
  EXPECT_EQ(totals.first_response.Quantile(0.5), 30);
  EXPECT_EQ(totals.first_response.Quantile(0.9), 50);
  EXPECT_EQ(totals.resolution.Quantile(0.5), 600 - 600 % 16 + 7);  // middle of its bucket
  auto agents = q.Agents(range);
  EXPECT_EQ(agents["u1"].replies, 1);
  EXPECT_EQ(agents["u1"].closed, 1);
  EXPECT_EQ(agents["u2"].first_response.Quantile(0.5), 50);
  EXPECT_EQ(q.Tags(range)["vip"].closed, 1);
}

// Breakdowns read whole days from day cells and the slots at both ends from slot cells: every
// cut of the range counts each measure exactly when its slot is inside.
TEST_F(ReportStoreTest, BreakdownsCountTheSameAcrossDayAndSlotCells) {
  std::vector<ReportMeasure> measures;
  for (const char* at : {"2026-11-22T23:50:00Z", "2026-11-23T00:00:00Z", "2026-11-23T10:00:00Z",
                         "2026-11-23T23:59:00Z", "2026-11-24T00:10:00Z", "2026-11-25T12:00:00Z"}) {
    ReportMeasure m;
    m.at = At(at);
    m.channel_id = "ch1";
    m.agent_id = "u1";
    m.replies = 1;
    measures.push_back(m);
  }
  Step(measures);
  ReportQueries q(*views_);
  auto replies = [&](const std::string& from, const std::string& to) {
    return q.Agents(Range(from, to))["u1"].replies;
  };
  EXPECT_EQ(replies("2026-11-20T00:00:00Z", "2026-11-30T00:00:00Z"), 6);
  EXPECT_EQ(replies("2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z"), 3);  // one whole day
  EXPECT_EQ(replies("2026-11-22T23:45:00Z", "2026-11-24T00:15:00Z"), 5);  // a day and two edges
  EXPECT_EQ(replies("2026-11-22T23:55:00Z", "2026-11-24T00:00:00Z"), 4);  // from: its slot
  EXPECT_EQ(replies("2026-11-23T00:15:00Z", "2026-11-25T12:00:00Z"), 3);  // to: exclusive
  EXPECT_EQ(replies("2026-11-23T09:00:00Z", "2026-11-23T11:00:00Z"), 1);  // within a day
}

TEST_F(ReportStoreTest, CellsRoundTripAndDamagedOnesAreRefused) {
  ReportTotals t;
  t.received = 3;
  t.opened = 300;
  t.first_response.Add(12);
  t.first_response.Add(123456);
  t.close_reasons["spam"] = 2;
  ReportTotals back;
  ASSERT_TRUE(DecodeCell(EncodeCell(t), &back));
  EXPECT_EQ(back, t);
  const std::string bytes = EncodeCell(t);
  ReportTotals cut;
  EXPECT_FALSE(DecodeCell(std::string_view(bytes).substr(0, bytes.size() - 1), &cut));
  Breakdown<AgentTotals> agents{{"u1", {1, 2, 3, {}}}};
  Breakdown<AgentTotals> agents_back;
  ASSERT_TRUE(DecodeCell(EncodeCell(agents), &agents_back));
  EXPECT_EQ(agents_back, agents);
}

TEST_F(ReportStoreTest, ANewReportDefinitionKeepsTheViewsAndSaysTheirDefinition) {
  Step({Received("2026-11-23T10:00:00Z", "ch1")});
  const ConsistencyToken at = views_->StoredOffset();
  ASSERT_TRUE(views_->db()->Put(rocksdb::WriteOptions(), "meta/report_definition", "0").ok());
  views_.reset();
  Open();
  // Kept, every view serving: the runner counts the reports again apart
  // (ProjectionTest.ANewReportDefinitionRebuildsTheReportsAloneAsAFullReplayWould).
  EXPECT_EQ(views_->StoredOffset().ToString(), at.ToString());
  ReportQueries q(*views_);
  EXPECT_EQ(q.Totals(Range("2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z")).received, 1);
  EXPECT_EQ(views_->StoredReportDefinition(), 0);
  EXPECT_EQ(q.DefinitionVersion(), 0);
}

TEST_F(ReportStoreTest, ANewVersionOfTheViewsRebuildsThemAll) {
  Step({Received("2026-11-23T10:00:00Z", "ch1")});
  ASSERT_TRUE(views_->db()->Put(rocksdb::WriteOptions(), "meta/version", "1").ok());
  views_.reset();
  Open();
  // Dropped: the runner replays the log into them.
  EXPECT_EQ(views_->StoredOffset().ToString(), ConsistencyToken().ToString());
  ReportQueries q(*views_);
  EXPECT_EQ(q.Totals(Range("2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z")).received, 0);
  EXPECT_EQ(views_->StoredReportDefinition(), kReportDefinitionVersion);
}

TEST(TimeZoneTest, UnknownOrMalformedNamesAreRefused) {
  EXPECT_FALSE(TimeZone::Find("Mars/Olympus_Mons").ok());
  EXPECT_FALSE(TimeZone::Find("../../etc/passwd").ok());
  EXPECT_FALSE(TimeZone::Find("").ok());
  EXPECT_TRUE(TimeZone::Find("America/Sao_Paulo").ok());
  EXPECT_EQ(TimeZone::Find("Asia/Kathmandu").value().OffsetAt(At("2026-11-23T00:00:00Z")).seconds,
            5 * 3600 + 45 * 60);
}

}  // namespace
}  // namespace helpdesk
