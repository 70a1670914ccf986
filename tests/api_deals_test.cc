// Funnels, contacts' stages and deals over HTTP against the real binary: funnels defined and
// guarded, deals created, edited, moved, lost and reopened, the board now and in the past, the
// funnel report, the agenda, and bad input that changes nothing.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/api_fixture.h"

namespace helpdesk::testing {
namespace {

class DealsTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ana_ = CreateDeskWithAgentAna();
    sup_ = CreateUser("sup", "supervisor");
    auto made = As(ana_, "POST", "/api/v1/contacts", {{"id", "rui"}, {"name", "Rui"}});
    ASSERT_EQ(made.status, 201) << made.body;
  }
  HttpReply NewDeal(const json& body) { return As(ana_, "POST", "/api/v1/deals", body); }
  json Stage(const json& board, const std::string& id) {
    for (const auto& s : board["stages"]) {
      if (s["stage_id"] == id) return s;
    }
    return json();
  }
  std::string ana_, sup_;
};

// A stage's value is the sum of its deals' to the cent: summed as doubles, deals leaving left
// -2.8e-17 behind, and three deals of 19.90 showed 59.699999999999996.
TEST_F(DealsTest, AStagesValueIsTheExactSumOfItsDeals) {
  const std::vector<std::tuple<std::string, double, std::string>> deals{
      {"c0", 0, "contacted"},   {"a", 0.1, "contacted"},  {"b", 0.7, "contacted"},
      {"x", 19.9, "qualified"}, {"y", 19.9, "qualified"}, {"z", 19.9, "qualified"}};
  for (const auto& [id, value, stage] : deals) {
    auto made = NewDeal({{"id", id},
                         {"title", "Deal " + id},
                         {"contact_id", "rui"},
                         {"value", value},
                         {"stage_id", stage}});
    ASSERT_EQ(made.status, 201) << made.body;
  }
  for (const char* id : {"b", "a"}) {
    auto moved =
        As(ana_, "POST", std::string("/api/v1/deals/") + id + "/move", {{"stage_id", "proposal"}});
    ASSERT_EQ(moved.status, 200) << moved.body;
  }
  json board = As(ana_, "GET", "/api/v1/funnels/default/board").json();
  EXPECT_EQ(Stage(board, "contacted")["deals"], 1);
  EXPECT_EQ(Stage(board, "contacted")["value"].dump(), "0.0");
  EXPECT_EQ(Stage(board, "proposal")["value"].dump(), "0.8");
  EXPECT_EQ(Stage(board, "qualified")["value"].dump(), "59.7");
  auto edited = As(ana_, "PATCH", "/api/v1/deals/z", {{"value", 0.3}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  board = As(ana_, "GET", "/api/v1/funnels/default/board").json();
  EXPECT_EQ(Stage(board, "qualified")["value"].dump(), "40.1");
}

TEST_F(DealsTest, ADealMovesThroughTheDefaultFunnel) {
  auto funnels = As(ana_, "GET", "/api/v1/funnels");
  ASSERT_EQ(funnels.status, 200) << funnels.body;
  const json items = funnels.json()["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["id"], "default");
  EXPECT_EQ(items[0]["stages"].size(), 6u);

  const json create{{"id", "d1"},
                    {"title", "Plano anual"},
                    {"contact_id", "rui"},
                    {"value", 1200.5},
                    {"currency", "BRL"},
                    {"owner_id", "ana"},
                    {"expected_close_on", "2020-01-31"}};
  auto made = NewDeal(create);
  ASSERT_EQ(made.status, 201) << made.body;
  json deal = made.json();
  EXPECT_EQ(deal["funnel_id"], "default");
  EXPECT_EQ(deal["stage_id"], "lead");
  EXPECT_EQ(deal["status"], "open");
  EXPECT_EQ(deal["value"], 1200.5);
  EXPECT_EQ(made.headers["etag"], "\"1\"");
  // The same create again answers as the first did; the same id for another deal is a clash.
  EXPECT_NO_NEW_EVENTS(EXPECT_EQ(NewDeal(create).status, 200));
  json other = create;
  other["value"] = 10;
  EXPECT_EQ(NewDeal(other).status, 409);

  auto edited = As(ana_, "PATCH", "/api/v1/deals/d1", {{"value", 1500}}, {{"If-Match", "\"1\""}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.json()["value"], 1500.0);
  EXPECT_EQ(As(ana_, "PATCH", "/api/v1/deals/d1", {{"value", 1}}, {{"If-Match", "\"1\""}}).status,
            409);

  auto moved = As(ana_, "POST", "/api/v1/deals/d1/move", {{"stage_id", "proposal"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string before_loss = moved.json()["updated_at"];
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto lost =
      As(ana_, "POST", "/api/v1/deals/d1/move", {{"stage_id", "lost"}, {"reason", "price"}});
  ASSERT_EQ(lost.status, 200) << lost.body;
  EXPECT_EQ(lost.json()["status"], "lost");
  EXPECT_EQ(lost.json()["lost_reason"], "price");
  // The same loss again is a retry; another reason is refused, not dropped.
  EXPECT_NO_NEW_EVENTS(EXPECT_EQ(
      As(ana_, "POST", "/api/v1/deals/d1/move", {{"stage_id", "lost"}, {"reason", "price"}}).status,
      200));
  auto other_reason =
      As(ana_, "POST", "/api/v1/deals/d1/move", {{"stage_id", "lost"}, {"reason", "timing"}});
  EXPECT_EQ(other_reason.status, 409) << other_reason.body;
  EXPECT_EQ(As(ana_, "GET", "/api/v1/deals/d1").json()["lost_reason"], "price");
  // A lost deal moves only once reopened.
  auto refused = As(ana_, "POST", "/api/v1/deals/d1/move", {{"stage_id", "won"}});
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.json()["error"]["code"], "invalid_transition");
  auto reopened = As(ana_, "POST", "/api/v1/deals/d1/reopen", {{"stage_id", "qualified"}});
  ASSERT_EQ(reopened.status, 200) << reopened.body;
  EXPECT_EQ(reopened.json()["status"], "open");
  EXPECT_EQ(reopened.json()["lost_reason"], nullptr);
  EXPECT_EQ(As(ana_, "POST", "/api/v1/deals/d1/reopen", json::object()).status, 409);

  const json board = As(ana_, "GET", "/api/v1/funnels/default/board").json();
  EXPECT_EQ(Stage(board, "qualified")["deals"], 1);
  EXPECT_EQ(Stage(board, "qualified")["value"], 1500.0);
  EXPECT_EQ(Stage(board, "lost")["deals"], 0);
  const json past = As(ana_, "GET", "/api/v1/funnels/default/board?as_of=" + before_loss).json();
  EXPECT_EQ(Stage(past, "proposal")["deals"], 1);
  EXPECT_EQ(Stage(past, "qualified")["deals"], 0);

  auto report = As(sup_, "GET", "/api/v1/reports/funnel?funnel=default&tz=America/Sao_Paulo");
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_EQ(Stage(report.json(), "lead")["entered"], 1);
  EXPECT_EQ(Stage(report.json(), "lead")["moved_on"], 1);
  EXPECT_EQ(Stage(report.json(), "proposal")["lost"], 1);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/reports/funnel").status, 403);  // agents read no reports

  const json agenda = As(ana_, "GET", "/api/v1/agenda?tz=America/Sao_Paulo").json();
  ASSERT_EQ(agenda["deals"].size(), 1u);  // due in 2020, still open
  EXPECT_EQ(agenda["deals"][0]["id"], "d1");
  EXPECT_EQ(agenda["tasks"], json::array());

  const json list = As(ana_, "GET", "/api/v1/deals?owner=me&status=open").json();
  EXPECT_EQ(list["total"], 1);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/deals?status=won").json()["total"], 0);

  // The deal's events are in its contact's timeline.
  const json timeline = As(ana_, "GET", "/api/v1/contacts/rui/timeline?limit=100").json();
  int deal_items = 0;
  for (const auto& item : timeline["items"]) deal_items += item["stream"] == "deal/d1";
  EXPECT_EQ(deal_items, 5);  // created, edited, moved, lost, reopened
}

TEST_F(DealsTest, FunnelsAreAdminsAndAStageInUseStays) {
  const json b2b{{"id", "b2b"},
                 {"name", "B2B"},
                 {"stages",
                  {{{"id", "new"}, {"name", "New"}},
                   {{"id", "demo"}, {"name", "Demo"}},
                   {{"id", "signed"}, {"name", "Signed"}, {"kind", "won"}}}}};
  EXPECT_EQ(As(ana_, "POST", "/api/v1/funnels", b2b).status, 403);
  auto made = Admin("POST", "/api/v1/funnels", b2b);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json()["stages"][0]["kind"], "open");
  EXPECT_EQ(Admin("POST", "/api/v1/funnels", b2b).status, 200);  // the same again
  auto clash = Admin("POST", "/api/v1/funnels",
                     {{"id", "b2b"}, {"name", "Other"}, {"stages", b2b["stages"]}});
  EXPECT_EQ(clash.status, 409);

  auto staged =
      As(ana_, "PUT", "/api/v1/contacts/rui/stage", {{"funnel_id", "b2b"}, {"stage_id", "demo"}});
  ASSERT_EQ(staged.status, 200) << staged.body;
  EXPECT_EQ(staged.json()["stage"], json({{"funnel_id", "b2b"}, {"stage_id", "demo"}}));
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?funnel=b2b&stage=demo").json()["total"], 1);
  // The event records `from` and `to`, as the contract names them.
  const json changes =
      Admin("GET", "/api/v1/events?stream=contact/rui&type=ContactStageChanged").json()["items"];
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0]["data"]["from"], "");
  EXPECT_EQ(changes[0]["data"]["to"], "demo");
  EXPECT_EQ(changes[0]["data"]["funnel_id"], "b2b");

  // Removing "demo" while Rui stands there: refused, nothing changes.
  json without_demo = b2b;
  without_demo["stages"].erase(1);
  without_demo.erase("id");
  EXPECT_NO_NEW_EVENTS({
    auto refused = Admin("PUT", "/api/v1/funnels/b2b", without_demo);
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(refused.json()["error"]["code"], "invalid_transition");
  });
  // Once Rui moves on it may go.
  ASSERT_EQ(
      As(ana_, "PUT", "/api/v1/contacts/rui/stage", {{"funnel_id", "b2b"}, {"stage_id", "new"}})
          .status,
      200);
  auto redefined = Admin("PUT", "/api/v1/funnels/b2b", without_demo);
  ASSERT_EQ(redefined.status, 200) << redefined.body;
  EXPECT_EQ(redefined.json()["stages"].size(), 2u);
  EXPECT_EQ(Admin("PUT", "/api/v1/funnels/nope", without_demo).status, 404);

  const json board = As(ana_, "GET", "/api/v1/funnels/b2b/board").json();
  EXPECT_EQ(Stage(board, "new")["contacts"], 1);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/funnels").json()["items"].size(), 2u);
}

TEST_F(DealsTest, BadInputIsRefusedAndChangesNothing) {
  ASSERT_EQ(NewDeal({{"id", "d1"}, {"title", "Plano"}, {"contact_id", "rui"}}).status, 201);
  auto field_of = [&](const HttpReply& r) {
    EXPECT_EQ(r.status, 400) << r.body;
    return r.json()["error"]["message"].get<std::string>();
  };
  EXPECT_NO_NEW_EVENTS({
    EXPECT_NE(
        field_of(NewDeal({{"title", "x"}, {"contact_id", "rui"}, {"value", -1}})).find("value"),
        std::string::npos);
    EXPECT_NE(field_of(NewDeal({{"title", "x"}, {"contact_id", "rui"}, {"currency", "XYZ"}}))
                  .find("currency"),
              std::string::npos);
    EXPECT_NE(field_of(NewDeal({{"title", "x"}, {"contact_id", "rui"}, {"stage_id", "nope"}}))
                  .find("stage_id"),
              std::string::npos);
    EXPECT_NE(field_of(NewDeal({{"title", "x"}, {"contact_id", "rui"}, {"funnel_id", "nope"}}))
                  .find("funnel_id"),
              std::string::npos);
    EXPECT_NE(field_of(NewDeal({{"title", "x"}, {"contact_id", "nobody"}})).find("contact_id"),
              std::string::npos);
    EXPECT_NE(
        field_of(NewDeal({{"title", "x"}, {"contact_id", "rui"}, {"value", "12"}})).find("value"),
        std::string::npos);
    EXPECT_NE(
        field_of(
            NewDeal({{"title", "x"}, {"contact_id", "rui"}, {"expected_close_on", "2026-02-30"}}))
            .find("expected_close_on"),
        std::string::npos);
    EXPECT_EQ(NewDeal({{"title", "x"}, {"contact_id", "rui"}, {"colour", "red"}}).status, 400);
    // null is refused on create as on an edit; left out, they take their defaults.
    for (const char* field : {"value", "currency"}) {
      EXPECT_NE(
          field_of(NewDeal({{"title", "x"}, {"contact_id", "rui"}, {field, nullptr}})).find(field),
          std::string::npos);
    }
    EXPECT_EQ(As(ana_, "POST", "/api/v1/deals/d1/move", {{"stage_id", "nope"}}).status, 400);
    EXPECT_EQ(
        As(ana_, "POST", "/api/v1/deals/d1/move", {{"stage_id", "won"}, {"reason", "x"}}).status,
        400);
    EXPECT_EQ(As(ana_, "POST", "/api/v1/deals/nope/move", {{"stage_id", "won"}}).status, 404);
    EXPECT_EQ(As(ana_, "PUT", "/api/v1/contacts/rui/stage", {{"stage_id", "nope"}}).status, 400);
    EXPECT_EQ(As(ana_, "GET", "/api/v1/deals?status=maybe").status, 400);
    EXPECT_EQ(As(ana_, "GET", "/api/v1/deals?cursor=zzz").status, 400);
    EXPECT_EQ(As(ana_, "GET", "/api/v1/funnels/default/board?as_of=yesterday").status, 400);
    EXPECT_EQ(As(ana_, "GET", "/api/v1/funnels/nope/board").status, 404);
    EXPECT_EQ(
        Admin("POST", "/api/v1/funnels",
              {{"name", "Only won"}, {"stages", {{{"id", "w"}, {"name", "W"}, {"kind", "won"}}}}})
            .status,
        400);
  });
}

// docs/examples/funnel_report.py reads the NDJSON export and finds what the API answers.
TEST_F(DealsTest, PythonExampleMatchesTheApi) {
  ASSERT_EQ(Admin("POST", "/api/v1/funnels",
                  {{"id", "b2b"},
                   {"name", "B2B"},
                   {"stages",
                    {{{"id", "new"}, {"name", "New"}},
                     {{"id", "demo"}, {"name", "Demo"}},
                     {{"id", "signed"}, {"name", "Signed"}, {"kind", "won"}},
                     {{"id", "dropped"}, {"name", "Dropped"}, {"kind", "lost"}}}}})
                .status,
            201);
  for (int i = 0; i < 6; ++i) {
    const std::string id = "d" + std::to_string(i);
    ASSERT_EQ(NewDeal({{"id", id},
                       {"title", "Deal " + id},
                       {"contact_id", "rui"},
                       {"funnel_id", "b2b"},
                       {"value", 100 * (i + 1)}})
                  .status,
              201);
    auto move = [&](const std::string& stage) {
      auto r = As(ana_, "POST", "/api/v1/deals/" + id + "/move", {{"stage_id", stage}});
      ASSERT_EQ(r.status, 200) << r.body;
    };
    if (i % 3 != 2) move("demo");
    if (i % 3 == 0) move("signed");
    if (i % 3 == 1) move("dropped");
    if (i == 4) {
      ASSERT_EQ(As(ana_, "POST", "/api/v1/deals/" + id + "/reopen", json::object()).status, 200);
    }
    if (i == 5) {
      ASSERT_EQ(As(ana_, "PATCH", "/api/v1/deals/" + id, {{"value", 50}}).status, 200);
    }
  }
  // The last 30 days up to now: the script takes the period the API answers for.
  auto api = Admin("GET", "/api/v1/reports/funnel?funnel=b2b");
  ASSERT_EQ(api.status, 200) << api.body;
  const json expected = api.json();
  const std::string out = RunExampleOnExport("funnel_report.py --funnel b2b --from " +
                                             expected["from"].get<std::string>() + " --to " +
                                             expected["to"].get<std::string>());
  const json script = json::parse(out, nullptr, false);
  EXPECT_EQ(script["stages"], expected["stages"]) << out;
  EXPECT_EQ(script["won_value"], expected["won_value"]);
  EXPECT_EQ(expected["won_value"], 100.0 + 400.0);  // d0 and d3 signed
  EXPECT_EQ(Stage(expected, "new")["entered"], 7);  // six made there, one reopened into it
  EXPECT_EQ(Stage(expected, "demo")["won"], 2);
  EXPECT_EQ(Stage(expected, "demo")["lost"], 2);
}

}  // namespace
}  // namespace helpdesk::testing
