// Projections: events in, views out, with a fixed clock; replaying the log into empty views gives
// identical views.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "adapters/clock.h"
#include "adapters/embedded_log.h"
#include "commands/command_service.h"
#include "projections/conversation_projector.h"
#include "projections/conversation_view.h"
#include "projections/deal_queries.h"
#include "projections/inbox_query.h"
#include "projections/projection_runner.h"
#include "projections/task_projector.h"
#include "projections/task_queries.h"
#include "projections/view_queries.h"
#include "tests/support/temp_dir.h"

namespace helpdesk {
namespace {

using nlohmann::json;
using testing::TempDir;

const Timestamp kStart = *ParseRfc3339("2026-11-22T10:00:00Z");

class ProjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = EmbeddedLog::Open(dir_.path() + "/log").value();
    views_ = ViewStore::Open(dir_.path() + "/views").value();
    commands_ = std::make_unique<CommandService>(*log_, Env{clock_, ids_});
    ASSERT_TRUE(commands_->Load().ok());
    runner_ = std::make_unique<ProjectionRunner>(*log_, *views_);
  }
  void CatchUp() { ASSERT_TRUE(runner_->CatchUp().ok()); }
  std::string Inbound(const std::string& ext, const std::string& phone, Timestamp sent) {
    cmd::ReceiveInbound a;
    a.channel_id = "wa";
    a.external_id = ext;
    a.text = "hi " + ext;
    a.from_phone = phone;
    a.from_name = "Name " + phone;
    a.sent_at = sent;
    auto r = commands_->Execute(admin_, a);
    EXPECT_TRUE(r.ok());
    return r.value().id;
  }
  // A varied history: opens, replies (some from a quick reply), notes, transfers, tags,
  // postpones, closes, reads, participants, deletions.
  void PlayHistory() {
    ASSERT_TRUE(commands_->Execute(admin_, cmd::CreateTeam{std::string("t1"), "T1"}).ok());
    ASSERT_TRUE(
        commands_
            ->Execute(admin_,
                      cmd::CreateUser{std::string("ana"), "Ana", "ana@x.co", "agent", {"t1"}, ""})
            .ok());
    ASSERT_TRUE(
        commands_->Execute(admin_, cmd::CreateChannel{std::string("wa"), "whatsapp", "WA", "1", ""})
            .ok());
    // Public replies go out through the provider; their outcomes are recorded below.
    ASSERT_TRUE(commands_
                    ->Execute(admin_,
                              cmd::SetChannelIntegration{
                                  "wa", "", "", "https://gateway.test/deliver", "secret-123"})
                    .ok());
    ASSERT_TRUE(
        commands_
            ->Execute(admin_,
                      cmd::CreateUser{std::string("bia"), "Bia", "bia@x.co", "agent", {}, ""})
            .ok());
    const Caller ana{"ana", Role::kAgent, ""};
    cmd::CreateQuickReply hello;
    hello.id = "hello";
    hello.shortcut = "/ola";
    hello.text = "Olá!";
    ASSERT_TRUE(commands_->Execute(ana, hello).ok());
    for (int i = 0; i < 30; ++i) {
      clock_.Advance(60'000);
      const std::string id =
          Inbound("e" + std::to_string(i), "+55" + std::to_string(i % 12), clock_.Now());
      switch (i % 6) {
        case 0:
          (void)commands_->Execute(ana, cmd::Take{id, std::nullopt});
          break;
        case 1: {
          auto sent =
              commands_->Execute(ana, cmd::SendMessage{id, "", false, true, std::string("hello")});
          // Delivered, failed, or still on its way.
          if (sent.ok() && i % 12 == 1) {
            (void)commands_->Execute(
                Caller::System(),
                cmd::RecordDelivery{id, {sent.value().message_id, true, 1, 200, ""}});
          } else if (sent.ok() && i == 7) {
            (void)commands_->Execute(
                Caller::System(),
                cmd::RecordDelivery{id, {sent.value().message_id, false, 6, 503, "503"}});
          }
          break;
        }
        case 2:
          (void)commands_->Execute(
              ana, cmd::Transfer{id, std::nullopt, std::string("t1"), std::nullopt});
          break;
        case 3:
          (void)commands_->Execute(ana, cmd::Tag{id, "tag" + std::to_string(i % 4), std::nullopt});
          break;
        case 4:
          (void)commands_->Execute(
              ana, cmd::Postpone{id, Timestamp{clock_.Now().ms + 120'000}, std::nullopt});
          break;
        case 5:
          (void)commands_->Execute(ana, cmd::Close{id, "done", std::nullopt});
          break;
      }
      if (i % 3 == 0) (void)commands_->Execute(ana, cmd::SendMessage{id, "note", true, false});
      if (i % 4 == 1) (void)commands_->Execute(ana, cmd::Invite{id, "bia", std::nullopt});
      if (i % 6 == 0) (void)commands_->Execute(ana, cmd::MarkRead{id});
      if (i % 5 == 2) (void)commands_->Execute(ana, cmd::IssueProtocol{id});
      if (i % 7 == 6)
        (void)commands_->Execute(admin_, cmd::DeleteConversation{id, "spam", std::nullopt});
      if (i % 5 == 0) CatchUp();  // views built in several steps, not one
    }
  }

  // The report cells as stored, one "key=value" line each.
  static std::string ReportCells(const ViewStore& views) {
    std::string out;
    auto it = views.NewIterator();
    for (it->Seek(view_keys::kReportCell); it->Valid() && it->key().starts_with("r/"); it->Next()) {
      out += it->key().ToString() + "=" + it->value().ToString() + "\n";
    }
    return out;
  }
  // Makes the views' reports look counted by an older definition: an older version, a cell
  // missing and one that should not be there, and every conversation's report marks other
  // than this build's rules leave them (as an older definition's could be).
  void PretendTheReportsAreOfAnOlderDefinition() {
    rocksdb::WriteBatch batch;
    auto it = views_->NewIterator();
    int conversations = 0;
    for (it->Seek(view_keys::kConversationState);
         it->Valid() && it->key().starts_with(view_keys::kConversationState); it->Next()) {
      json state = json::parse(it->value().ToString());
      ASSERT_EQ(state["report_definition"], kReportDefinitionVersion);
      state["report_definition"] = kReportDefinitionVersion - 1;
      state["report"] = ReportMarksToJson(ReportMarks());
      batch.Put(it->key(), state.dump());
      ++conversations;
    }
    ASSERT_GE(conversations, 5);
    it->Seek(view_keys::kReportCell);
    ASSERT_TRUE(it->Valid() && it->key().starts_with("r/"));
    batch.Delete(it->key());
    batch.Put(std::string(view_keys::kReportCell) + "zz", "stale");
    batch.Put(ViewStore::ReportDefinitionKey(), std::to_string(kReportDefinitionVersion - 1));
    ASSERT_TRUE(views_->Commit(batch, runner_->Applied()).ok());
  }
  // After PlayHistory: every conversation still open gets a reply, every other one is closed,
  // and customers who wrote before write again (their closed conversations reopen). What the
  // reports count of these depends on each conversation's report marks.
  void PlayMoreHistory() {
    const Caller ana{"ana", Role::kAgent, ""};
    InboxRequest all;
    all.now = clock_.Now();
    all.limit = 500;
    auto page = QueryInbox(*views_, all);
    ASSERT_TRUE(page.ok());
    int n = 0;
    for (const auto& c : json::parse(page.value().items_json)) {
      clock_.Advance(30'000);
      const std::string id = c["id"];
      (void)commands_->Execute(ana, cmd::Take{id, std::nullopt});
      EXPECT_TRUE(commands_->Execute(ana, cmd::SendMessage{id, "more", false, false}).ok());
      if (n++ % 2 == 0) {
        EXPECT_TRUE(commands_->Execute(ana, cmd::Close{id, "done", std::nullopt}).ok());
      }
    }
    for (int i = 0; i < 12; i += 3) {
      clock_.Advance(60'000);
      Inbound("again" + std::to_string(i), "+55" + std::to_string(i), clock_.Now());
    }
  }
  // Steps until the rebuild of the reports has been taken in.
  void CatchUpUntilTheReportsAreRebuilt() {
    for (int i = 0; i < 1000 && runner_->RebuildingReports(); ++i) {
      CatchUp();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_FALSE(runner_->RebuildingReports());
  }
  std::string ReportCellsOfAFullReplay() {
    auto fresh = ViewStore::Open(dir_.path() + "/replayed-views").value();
    ProjectionRunner replay(*log_, *fresh);
    EXPECT_TRUE(replay.CatchUp().ok());
    return ReportCells(*fresh);
  }

  TempDir dir_;
  ManualClock clock_{kStart};
  SequentialIds ids_;
  std::unique_ptr<EmbeddedLog> log_;
  std::unique_ptr<ViewStore> views_;
  std::unique_ptr<CommandService> commands_;
  std::unique_ptr<ProjectionRunner> runner_;
  const Caller admin_{"", Role::kAdmin, ""};
};

TEST_F(ProjectionTest, InboundBuildsConversationMessagesTimelineAndIndexes) {
  PlayHistory();
  CatchUp();
  ViewQueries q(*views_);
  InboxRequest all;
  all.now = clock_.Now();
  all.limit = 500;
  auto page = QueryInbox(*views_, all);
  ASSERT_TRUE(page.ok());
  json items = json::parse(page.value().items_json);
  EXPECT_FALSE(items.empty());
  for (const auto& c : items) {
    EXPECT_NE(c["status"], "closed");
    auto timeline = json::parse(q.Timeline(c["id"], std::nullopt, 500).value().items_json);
    EXPECT_EQ(timeline[0]["type"], "ConversationOpened");
    EXPECT_EQ(c["version"], timeline.back()["stream_version"]);
  }
  auto summary = q.Summary("ana");
  EXPECT_EQ(summary["general"]["total"].get<int>(), static_cast<int>(items.size()));
}

// On a partitioned log a contact's stream may be read after its conversation's: the contact's
// creation then gives the conversation its card. (Here: a log holding the same events, the
// contact's last.)
TEST_F(ProjectionTest, AContactReadAfterItsConversationGivesItItsCard) {
  ASSERT_TRUE(
      commands_->Execute(admin_, cmd::CreateChannel{std::string("wa"), "whatsapp", "WA", "1", ""})
          .ok());
  const std::string id = Inbound("e1", "+5511987654321", clock_.Now());
  auto written = log_->Read(ConsistencyToken(), 100, std::chrono::milliseconds(0));
  ASSERT_TRUE(written.ok());
  AppendRequest others, contacts;
  for (const RecordedEvent& r : written.value()) {
    (r.event.stream.starts_with("contact/") ? contacts : others).events.push_back(r.event);
  }
  ASSERT_EQ(contacts.events.size(), 1u);
  auto swapped = EmbeddedLog::Open(dir_.path() + "/swapped").value();
  ASSERT_TRUE(swapped->AppendAsync(std::move(others)).get().ok());
  ASSERT_TRUE(swapped->AppendAsync(std::move(contacts)).get().ok());
  auto views = ViewStore::Open(dir_.path() + "/swapped-views").value();
  ProjectionRunner runner(*swapped, *views);
  ASSERT_TRUE(runner.CatchUp().ok());

  const auto conversation = ViewQueries(*views).Conversation(id, clock_.Now());
  ASSERT_TRUE(conversation);
  const json contact = json::parse(*conversation)["contact"];
  EXPECT_EQ(contact.value("name", ""), "Name +5511987654321") << contact.dump();
  // In the usual order the card is there from the conversation's opening.
  CatchUp();
  EXPECT_EQ(json::parse(*ViewQueries(*views_).Conversation(id, clock_.Now()))["contact"], contact);
}

TEST_F(ProjectionTest, WaitingTimeClearsOnlyOnPublicReply) {
  ASSERT_TRUE(
      commands_->Execute(admin_, cmd::CreateChannel{std::string("wa"), "whatsapp", "WA", "1", ""})
          .ok());
  ASSERT_TRUE(
      commands_
          ->Execute(admin_, cmd::CreateUser{std::string("ana"), "Ana", "ana@x.co", "agent", {}, ""})
          .ok());
  const Caller ana{"ana", Role::kAgent, ""};
  const std::string id = Inbound("x", "+551", Timestamp{kStart.ms - 7 * 60'000});
  ASSERT_TRUE(commands_->Execute(ana, cmd::SendMessage{id, "internal", true, false}).ok());
  CatchUp();
  ViewQueries q(*views_);
  json c = json::parse(*q.Conversation(id, kStart));
  EXPECT_EQ(c["thermometer"], "yellow");
  EXPECT_EQ(c["waiting_since"], "2026-11-22T09:53:00Z");
  ASSERT_TRUE(commands_->Execute(ana, cmd::SendMessage{id, "public", false, false}).ok());
  CatchUp();
  c = json::parse(*q.Conversation(id, kStart));
  EXPECT_TRUE(c["waiting_since"].is_null());
  EXPECT_TRUE(c["thermometer"].is_null());
}

TEST_F(ProjectionTest, OnlyRepliesWithoutAnOutcomeWaitInTheDeliveryQueue) {
  PlayHistory();
  CatchUp();
  // Replies 1, 7, 13, 19 and 25 went out; 1 and 25 were delivered, 7 failed, 13's conversation
  // was deleted: 19 alone waits.
  const auto pending = ViewQueries(*views_).PendingDeliveries(
      [](const std::string&, const std::string&) { return true; }, 100);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["text"], "Olá!");
  EXPECT_EQ(pending[0]["channel_id"], "wa");
}

TEST_F(ProjectionTest, ReplayIntoEmptyViewsGivesIdenticalViews) {
  PlayHistory();
  CatchUp();
  const std::string incremental = views_->DumpForComparison();
  auto fresh = ViewStore::Open(dir_.path() + "/views2").value();
  ProjectionRunner replay(*log_, *fresh);
  ASSERT_TRUE(replay.CatchUp().ok());
  EXPECT_EQ(fresh->DumpForComparison(), incremental);
  EXPECT_GT(incremental.size(), 1000u);
  EXPECT_NE(incremental.find("qr/hello="), std::string::npos);
  EXPECT_NE(incremental.find("\"participants\":[\"bia\"]"), std::string::npos);
}

// Deals through a funnel on a fixed clock: the board now and at past instants, the funnel
// report of a period, the lists with their totals, and a replay that rebuilds the same views.
TEST_F(ProjectionTest, DealsBuildTheBoardItsPastAndTheFunnelReport) {
  ASSERT_TRUE(
      commands_
          ->Execute(admin_, cmd::CreateUser{std::string("ana"), "Ana", "ana@x.co", "agent", {}, ""})
          .ok());
  const Caller ana{"ana", Role::kAgent, ""};
  for (const char* id : {"k1", "k2", "k3"}) {
    cmd::CreateContact c;
    c.id = id;
    c.name = std::string("Contact ") + id;
    ASSERT_TRUE(commands_->Execute(ana, c).ok());
  }
  auto deal = [&](const std::string& id, const std::string& contact, double value) {
    cmd::CreateDeal c;
    c.id = id;
    c.title = "Deal " + id;
    c.contact_id = contact;
    c.value = value;
    c.currency = "BRL";
    c.owner_id = "ana";
    c.expected_close_on = "2026-11-20";
    ASSERT_TRUE(commands_->Execute(ana, c).ok());
    clock_.Advance(1000);  // newest first is by creation
  };
  auto move = [&](const std::string& id, const std::string& stage) {
    auto r = commands_->Execute(ana, cmd::MoveDeal{id, stage, std::nullopt, std::nullopt});
    ASSERT_TRUE(r.ok()) << r.error().message;
  };
  const Timestamp t0 = clock_.Now();
  deal("d1", "k1", 100);
  deal("d2", "k2", 200);
  deal("d3", "k3", 400);
  ASSERT_TRUE(commands_->Execute(ana, cmd::SetContactStage{"k1", "lead", "default"}).ok());
  CatchUp();                    // in several steps
  clock_.Advance(60 * 60'000);  // an hour in lead
  const Timestamp t1 = clock_.Now();
  move("d1", "contacted");
  move("d2", "contacted");
  clock_.Advance(2 * 60 * 60'000);
  move("d1", "won");
  move("d3", "lost");
  ASSERT_TRUE(commands_->Execute(ana, cmd::SetContactStage{"k1", "proposal", "default"}).ok());
  clock_.Advance(60'000);
  CatchUp();

  DealQueries q(*views_);
  const json funnel = *q.Funnel("default");
  auto stage_of = [](const json& board, const std::string& id) {
    for (const auto& s : board["stages"]) {
      if (s["stage_id"] == id) return s;
    }
    return json();
  };
  const json now = q.Board(funnel, std::nullopt);
  EXPECT_EQ(stage_of(now, "lead")["deals"], 0);
  EXPECT_EQ(stage_of(now, "contacted")["deals"], 1);
  EXPECT_EQ(stage_of(now, "contacted")["value"], 200.0);
  EXPECT_EQ(stage_of(now, "contacted")["oldest_entered_at"], FormatRfc3339(t1));
  EXPECT_EQ(stage_of(now, "won")["deals"], 1);
  EXPECT_EQ(stage_of(now, "won")["value"], 100.0);
  EXPECT_EQ(stage_of(now, "lost")["deals"], 1);
  EXPECT_EQ(stage_of(now, "proposal")["contacts"], 1);
  EXPECT_EQ(stage_of(now, "lead")["contacts"], 0);
  // Before anything, right after the creations, and after the first moves.
  const json before = q.Board(funnel, Timestamp{t0.ms - 1});
  EXPECT_EQ(stage_of(before, "lead")["deals"], 0);
  const json first_hour = q.Board(funnel, Timestamp{t1.ms - 1});
  EXPECT_EQ(stage_of(first_hour, "lead")["deals"], 3);
  EXPECT_EQ(stage_of(first_hour, "lead")["value"], 700.0);
  EXPECT_EQ(stage_of(first_hour, "lead")["contacts"], 1);
  EXPECT_EQ(stage_of(first_hour, "lead")["oldest_entered_at"], FormatRfc3339(t0));
  const json after_moves = q.Board(funnel, t1);
  EXPECT_EQ(stage_of(after_moves, "lead")["deals"], 1);
  EXPECT_EQ(stage_of(after_moves, "contacted")["deals"], 2);

  const json report = q.Report(funnel, Timestamp{t0.ms - kDayMs}, Timestamp{clock_.Now().ms + 1});
  const json lead = stage_of(report, "lead");
  EXPECT_EQ(lead["entered"], 3);
  EXPECT_EQ(lead["moved_on"], 2);
  EXPECT_EQ(lead["lost"], 1);
  // Stays of 1 h, 1 h and 3 h; the histogram is within 1.6% of a value above a minute.
  EXPECT_NEAR(lead["median_time_in_stage_s"].get<double>(), 3600, 60);
  EXPECT_DOUBLE_EQ(lead["conversion"].get<double>(), 2.0 / 3.0);
  const json contacted = stage_of(report, "contacted");
  EXPECT_EQ(contacted["entered"], 2);
  EXPECT_EQ(contacted["won"], 1);
  EXPECT_NEAR(contacted["median_time_in_stage_s"].get<double>(), 2 * 3600, 120);
  EXPECT_EQ(report["won_value"], 100.0);
  // A period after it all counts nothing.
  const json later = q.Report(funnel, clock_.Now(), Timestamp{clock_.Now().ms + kDayMs});
  EXPECT_EQ(stage_of(later, "lead")["entered"], 0);
  EXPECT_TRUE(stage_of(later, "lead")["conversion"].is_null());

  auto total = [&](const DealFilter& f) { return q.List(f, std::nullopt, 2).value().total; };
  auto filter = [](const char* field, const std::string& value) {
    DealFilter f;
    if (std::string(field) == "status") f.status = value;
    if (std::string(field) == "stage") f.stage = value;
    if (std::string(field) == "contact") f.contact = value;
    return f;
  };
  EXPECT_EQ(total({}), 3);
  EXPECT_EQ(total(filter("status", "open")), 1);
  DealFilter owner_won = filter("status", "won");
  owner_won.owner = "ana";
  EXPECT_EQ(total(owner_won), 1);
  EXPECT_EQ(total(filter("stage", "contacted")), 1);
  EXPECT_EQ(total(filter("contact", "k3")), 1);
  const auto page = q.List({}, std::nullopt, 2).value();
  ASSERT_TRUE(page.page.next_cursor);
  EXPECT_EQ(json::parse(page.page.items_json)[0]["id"], "d3");  // newest first
  const auto rest = q.List({}, page.page.next_cursor, 2).value();
  EXPECT_EQ(json::parse(rest.page.items_json).size(), 1u);
  EXPECT_FALSE(rest.page.next_cursor);
  const auto to_close = q.DealsToClose("ana", "2026-11-22");
  ASSERT_EQ(to_close.size(), 1u);  // the open one; won and lost ones are done
  EXPECT_EQ(to_close[0]["id"], "d2");

  const std::string incremental = views_->DumpForComparison();
  auto fresh = ViewStore::Open(dir_.path() + "/views2").value();
  ProjectionRunner replay(*log_, *fresh);
  ASSERT_TRUE(replay.CatchUp().ok());
  EXPECT_EQ(fresh->DumpForComparison(), incremental);
}

// Tasks on a fixed clock: the lists per view, status and sort with their totals, the timer's
// reminder index, the tasks report, a merge, and a replay that rebuilds the same views.
TEST_F(ProjectionTest, TasksBuildTheirListsRemindersAndReport) {
  ASSERT_TRUE(commands_->Execute(admin_, cmd::CreateTeam{std::string("t1"), "T1"}).ok());
  for (const char* id : {"ana", "bia"}) {
    ASSERT_TRUE(
        commands_
            ->Execute(admin_,
                      cmd::CreateUser{
                          std::string(id), id, std::string(id) + "@x.co", "agent", {"t1"}, ""})
            .ok());
  }
  const Caller ana{"ana", Role::kAgent, ""}, bia{"bia", Role::kAgent, ""};
  auto task = [&](const std::string& id, const std::string& type, std::optional<int64_t> due_in,
                  bool queued) {
    cmd::CreateTask c;
    c.id = id;
    c.type = type;
    c.title = "Task " + id;
    if (due_in) c.due_at = Timestamp{clock_.Now().ms + *due_in};
    if (queued) c.team_id = "t1";
    auto r = commands_->Execute(ana, c);
    ASSERT_TRUE(r.ok()) << r.error().message;
    clock_.Advance(1000);
  };
  task("a", "call", 3 * kHourMs, true);
  task("b", "email", kHourMs / 2, false);
  task("c", "call", std::nullopt, false);
  task("d", "call", -kHourMs, true);
  CatchUp();
  ASSERT_TRUE(
      commands_->Execute(bia, cmd::ActOnTask{"a", "take", std::nullopt, std::nullopt}).ok());
  ASSERT_TRUE(
      commands_->Execute(ana, cmd::ActOnTask{"b", "finish", std::string("ok"), std::nullopt}).ok());
  CatchUp();

  TaskQueries q(*views_);
  auto ids = [&](TaskListRequest r, int64_t* total = nullptr) {
    r.now = clock_.Now();
    auto page = q.List(r);
    EXPECT_TRUE(page.ok());
    std::vector<std::string> out;
    for (const auto& t : json::parse(page.value().page.items_json)) out.push_back(t["id"]);
    if (total) *total = page.value().total;
    return out;
  };
  TaskListRequest queue;
  queue.scopes = {TaskTeamScope("t1")};
  queue.status = "queued";
  int64_t total = 0;
  EXPECT_EQ(ids(queue, &total), std::vector<std::string>{"d"});
  EXPECT_EQ(total, 1);
  TaskListRequest all;
  all.scopes = {kEveryTaskScope};
  EXPECT_EQ(ids(all, &total), (std::vector<std::string>{"d", "b", "a", "c"}));  // due, none last
  EXPECT_EQ(total, 4);
  all.sort = 'c';
  EXPECT_EQ(ids(all), (std::vector<std::string>{"d", "c", "b", "a"}));
  all.type = "call";
  EXPECT_EQ(ids(all, &total), (std::vector<std::string>{"d", "c", "a"}));
  EXPECT_EQ(total, 3);
  TaskListRequest mine;
  mine.scopes = {TaskAssigneeScope("bia")};
  EXPECT_EQ(ids(mine), std::vector<std::string>{"a"});
  EXPECT_EQ(q.Task("a", clock_.Now())->value("deadline", ""), "yellow");

  // Reminders: d is overdue now; a's hour before comes later; b is done.
  EXPECT_EQ(q.RemindersDue(clock_.Now(), 10).task_ids, std::vector<std::string>{"d"});
  const Timestamp later{clock_.Now().ms + 3 * kHourMs};
  EXPECT_EQ(q.RemindersDue(later, 10).task_ids, (std::vector<std::string>{"d", "a"}));
  // A walk goes on from where the last one stopped.
  const TaskQueries::DueReminders first = q.RemindersDue(later, 1);
  EXPECT_EQ(first.task_ids, std::vector<std::string>{"d"});
  EXPECT_EQ(q.RemindersDue(later, 10, first.last_key).task_ids, std::vector<std::string>{"a"});
  EXPECT_TRUE(q.RemindersDue(clock_.Now(), 10, first.last_key).task_ids.empty());
  ASSERT_TRUE(commands_->Execute(Caller::System(), cmd::RemindTask{"d"}).ok());
  EXPECT_EQ(commands_->Execute(Caller::System(), cmd::RemindTask{"d"}).error().code,
            ErrorCode::kInvalidTransition);  // once
  CatchUp();
  EXPECT_TRUE(q.RemindersDue(clock_.Now(), 10).task_ids.empty());

  const json report = q.Report(kStart, Timestamp{clock_.Now().ms + 1}, clock_.Now());
  EXPECT_EQ(report["created"], 4);
  EXPECT_EQ(report["done"], 1);
  EXPECT_EQ(report["done_late"], 0);
  EXPECT_EQ(report["overdue_now"], 1);

  const std::string incremental = views_->DumpForComparison();
  auto fresh = ViewStore::Open(dir_.path() + "/views2").value();
  ProjectionRunner replay(*log_, *fresh);
  ASSERT_TRUE(replay.CatchUp().ok());
  EXPECT_EQ(fresh->DumpForComparison(), incremental);
}

TEST_F(ProjectionTest, PostponeScheduleListsWhatIsDue) {
  PlayHistory();
  CatchUp();
  ViewQueries q(*views_);
  EXPECT_TRUE(q.DueAt(kStart, 100).empty());
  InboxRequest postponed;
  postponed.view = InboxView::kPostponed;
  postponed.now = clock_.Now();
  const size_t expected = json::parse(QueryInbox(*views_, postponed).value().items_json).size();
  ASSERT_GT(expected, 0u);
  clock_.Advance(3'600'000);
  const auto due = q.DueAt(clock_.Now(), 100);
  EXPECT_EQ(due.size(), expected);
  for (const auto& id : due)
    EXPECT_TRUE(commands_->Execute(Caller::System(), cmd::WakeDue{id}).ok());
  CatchUp();
  EXPECT_EQ(QueryInbox(*views_, postponed).value().items_json, "[]");
  EXPECT_TRUE(q.DueAt(Timestamp{clock_.Now().ms + 3'600'000}, 100).empty());
}

// On a partitioned log a step can read a conversation's deletion before an event of another
// stream that names it (its protocol): the conversation stays deleted and its counts go once.
TEST_F(ProjectionTest, AnEventAfterADeletionInTheSameStepLeavesTheCountsRight) {
  ASSERT_TRUE(
      commands_->Execute(admin_, cmd::CreateChannel{std::string("wa"), "whatsapp", "WA", "1", ""})
          .ok());
  const std::string id = Inbound("e1", "+5511", clock_.Now());
  CatchUp();  // stored, queued
  ASSERT_EQ(ReadCounter(views_->Get(StatusCounterKey(ConversationStatus::kQueued))), 1);
  // A runner started afresh reads what follows in one batch (a running one reads as it comes).
  runner_ = std::make_unique<ProjectionRunner>(*log_, *views_);
  ASSERT_TRUE(commands_->Execute(admin_, cmd::DeleteConversation{id, "spam", std::nullopt}).ok());
  // What the write model would refuse, as another partition's reader may deliver it.
  NewEvent late{"late-protocol",       "protocol/2026",
                ev::kProtocolIssued,   clock_.Now(),
                Actor::System("test"), {{"conversation_id", id}, {"protocol", "2026-000999"}}};
  ASSERT_TRUE(log_->Append(AppendRequest{{late}, {{"protocol/2026", 0}}}).ok());
  CatchUp();
  EXPECT_EQ(runner_->steps(), 1u);  // the deletion and the protocol
  EXPECT_EQ(runner_->events_applied(), 2u);
  EXPECT_EQ(ReadCounter(views_->Get(StatusCounterKey(ConversationStatus::kQueued))), 0);
  EXPECT_FALSE(views_->Get("c/" + id).has_value());
  EXPECT_FALSE(views_->Get("cs/" + id).has_value());
}

TEST_F(ProjectionTest, ViewsResumeFromTheirStoredOffset) {
  PlayHistory();
  CatchUp();
  const ConsistencyToken at = runner_->Applied();
  runner_.reset();
  views_.reset();
  views_ = ViewStore::Open(dir_.path() + "/views").value();
  EXPECT_EQ(views_->StoredOffset().ToString(), at.ToString());
  runner_ = std::make_unique<ProjectionRunner>(*log_, *views_);
  EXPECT_TRUE(runner_->CaughtUp());
}

// An event log whose stored reads (the rebuild of the reports') wait until Open().
class GatedStoredReads final : public EventLog {
 public:
  explicit GatedStoredReads(EventLog& inner) : inner_(inner) {}
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  std::future<Result<AppendResult>> AppendAsync(AppendRequest request) override {
    return inner_.AppendAsync(std::move(request));
  }
  void Reset() override { inner_.Reset(); }
  Result<std::vector<RecordedEvent>> Read(const ConsistencyToken& after, size_t max,
                                          std::chrono::milliseconds wait) override {
    return inner_.Read(after, max, wait);
  }
  Result<std::vector<StoredEvent>> ReadStored(const ConsistencyToken& after, size_t max,
                                              std::chrono::milliseconds wait) override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return open_; });
    return inner_.ReadStored(after, max, wait);
  }
  ConsistencyToken Head() const override { return inner_.Head(); }
  Result<bool> IsCaughtUp(const ConsistencyToken& token) override {
    return inner_.IsCaughtUp(token);
  }

 private:
  EventLog& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST_F(ProjectionTest, ANewReportDefinitionRebuildsTheReportsAloneAsAFullReplayWould) {
  PlayHistory();
  CatchUp();
  const std::string counted = ReportCells(*views_);
  ASSERT_GT(counted.size(), 1000u);
  PretendTheReportsAreOfAnOlderDefinition();
  ASSERT_NE(ReportCells(*views_), counted);

  runner_ = std::make_unique<ProjectionRunner>(*log_, *views_);
  runner_->RebuildReports();
  EXPECT_TRUE(runner_->RebuildingReports());
  CatchUpUntilTheReportsAreRebuilt();
  EXPECT_EQ(ReportCells(*views_), counted);
  EXPECT_EQ(views_->StoredReportDefinition(), kReportDefinitionVersion);

  // Conversations counted by the rebuild go on from the marks it left them: what the reports
  // count next equals what a full replay counts.
  PlayMoreHistory();
  CatchUp();
  const std::string after = ReportCells(*views_);
  EXPECT_NE(after, counted);
  EXPECT_EQ(after, ReportCellsOfAFullReplay());
}

TEST_F(ProjectionTest, TheOtherViewsServeAndMoveWhileTheReportsAreRebuilt) {
  PlayHistory();
  CatchUp();
  PretendTheReportsAreOfAnOlderDefinition();
  const std::string old_cells = ReportCells(*views_);
  GatedStoredReads gated(*log_);
  runner_ = std::make_unique<ProjectionRunner>(gated, *views_);
  runner_->RebuildReports();
  runner_->Start();

  // The rebuild cannot read: a new conversation still reaches the views, and the reports stand
  // still (neither counted with the old definition nor with the new one).
  clock_.Advance(60'000);
  const std::string id = Inbound("during", "+5599", clock_.Now());
  EXPECT_TRUE(runner_->WaitFor(log_->Head(), std::chrono::seconds(10)));
  EXPECT_TRUE(ViewQueries(*views_).Conversation(id, clock_.Now()).has_value());
  EXPECT_TRUE(runner_->RebuildingReports());
  EXPECT_EQ(ReportCells(*views_), old_cells);
  // Recorded as under way: a start by any build (this one's older self too) rebuilds them.
  EXPECT_EQ(views_->StoredReportDefinition(), 0);

  gated.Open();
  // Taken in by a step, then committed with it.
  for (int i = 0; i < 1000 && views_->StoredReportDefinition() != kReportDefinitionVersion; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(runner_->RebuildingReports());
  ASSERT_EQ(views_->StoredReportDefinition(), kReportDefinitionVersion);
  // The conversation opened during the rebuild is counted once, and what follows too.
  PlayMoreHistory();
  EXPECT_TRUE(runner_->WaitFor(log_->Head(), std::chrono::seconds(10)));
  runner_.reset();  // before the gated log goes
  EXPECT_EQ(ReportCells(*views_), ReportCellsOfAFullReplay());
}

}  // namespace
}  // namespace helpdesk
