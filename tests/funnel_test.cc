// Funnel and deal rules with plain inputs: definitions, stages in use, the report's reading of a
// move, field rules, and how events evolve a deal.
#include "domain/funnel.h"

#include <gtest/gtest.h>

#include <limits>

#include "domain/events.h"
#include "tests/support/domain_fixtures.h"

namespace helpdesk {
namespace {

FunnelState B2b() {
  FunnelState f;
  f.exists = true;
  f.id = "b2b";
  f.name = "B2B";
  f.stages = {{"new", "New", "open"},
              {"demo", "Demo", "open"},
              {"signed", "Signed", "won"},
              {"dropped", "Dropped", "lost"}};
  return f;
}

TEST(Funnel, TheDefaultFunnelHasTheContractsStages) {
  const FunnelState& f = DefaultFunnel();
  EXPECT_EQ(f.id, "default");
  ASSERT_EQ(f.stages.size(), 6u);
  EXPECT_EQ(f.stages[0].id, "lead");
  EXPECT_EQ(f.stages[3].id, "proposal");
  EXPECT_EQ(FindStage(f, "won")->kind, "won");
  EXPECT_EQ(FindStage(f, "lost")->kind, "lost");
  EXPECT_EQ(StageIndex(f, "qualified"), 2);
  EXPECT_EQ(StageIndex(f, "nope"), -1);
  EXPECT_FALSE(FunnelProblem(f.name, f.stages));
}

TEST(Funnel, ADefinitionNamesTheFieldAtFault) {
  EXPECT_EQ(FunnelProblem("", B2b().stages)->first, "name");
  EXPECT_EQ(FunnelProblem("B2B", {})->first, "stages");
  EXPECT_EQ(FunnelProblem("B2B", {{"a", "A", "open"}, {"a", "B", "open"}})->first, "stages[1].id");
  EXPECT_EQ(FunnelProblem("B2B", {{"a/b", "A", "open"}})->first, "stages[0].id");
  EXPECT_EQ(FunnelProblem("B2B", {{"a", "", "open"}})->first, "stages[0].name");
  EXPECT_EQ(FunnelProblem("B2B", {{"a", "A", "maybe"}})->first, "stages[0].kind");
  // Only closing stages: nowhere for a deal to be worked.
  EXPECT_EQ(FunnelProblem("B2B", {{"w", "W", "won"}, {"l", "L", "lost"}})->first, "stages");
  std::vector<FunnelStage> many(51, FunnelStage{"s", "S", "open"});
  for (size_t i = 0; i < many.size(); ++i) many[i].id = "s" + std::to_string(i);
  EXPECT_EQ(FunnelProblem("B2B", many)->first, "stages");
}

TEST(Funnel, OnlyStagesInUseMustStay) {
  FunnelState f = B2b();
  f.in_use = {{"demo", 2}, {"dropped", 0}};
  const auto removed = RedefinitionProblem(f, {{"new", "New", "open"}});
  ASSERT_TRUE(removed);
  EXPECT_NE(removed->find("demo"), std::string::npos);
  EXPECT_FALSE(RedefinitionProblem(f, {{"demo", "Demo", "open"}}));  // "dropped" is unused
  EXPECT_TRUE(RedefinitionProblem(f, {{"demo", "Demo", "won"}}));    // in use: kind stays
}

TEST(Funnel, AMoveReadsAsTheReportCountsIt) {
  const FunnelState f = B2b();
  StageStep s = StepOf(f, "new", "demo");
  EXPECT_TRUE(s.moved_on);
  EXPECT_FALSE(s.won || s.lost);
  s = StepOf(f, "demo", "new");  // backwards: not moving on
  EXPECT_FALSE(s.moved_on || s.won || s.lost);
  s = StepOf(f, "demo", "signed");
  EXPECT_TRUE(s.moved_on && s.won);
  s = StepOf(f, "demo", "dropped");
  EXPECT_TRUE(s.lost);
  EXPECT_FALSE(s.moved_on);        // lost is never progress, wherever the stage sits
  s = StepOf(f, "signed", "new");  // a reopening: from a closing stage
  EXPECT_FALSE(s.moved_on || s.won || s.lost);
}

TEST(Funnel, DealFieldRules) {
  EXPECT_FALSE(DealTitleProblem("Plano anual"));
  EXPECT_TRUE(DealTitleProblem(""));
  EXPECT_TRUE(DealTitleProblem(std::string(257, 'x')));
  EXPECT_TRUE(DealTitleProblem("a\nb"));
  EXPECT_FALSE(DealValueProblem(0));
  EXPECT_FALSE(DealValueProblem(1e13));
  EXPECT_TRUE(DealValueProblem(-0.01));
  EXPECT_TRUE(DealValueProblem(1e13 + 1e4));
  EXPECT_TRUE(DealValueProblem(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_TRUE(DealValueProblem(std::numeric_limits<double>::infinity()));
  for (const char* code : {"BRL", "USD", "EUR", "JPY", "ZWG"}) EXPECT_TRUE(IsCurrencyCode(code));
  for (const char* code : {"brl", "XXX", "BR", "BRLL", "ABC", ""}) {
    EXPECT_FALSE(IsCurrencyCode(code)) << code;
  }
  EXPECT_EQ(DealStatusOfKind("won"), "won");
  EXPECT_EQ(DealStatusOfKind("lost"), "lost");
  EXPECT_EQ(DealStatusOfKind("open"), "open");
}

using test::Staged;

TEST(Funnel, EventsEvolveADeal) {
  DealState d;
  Evolve(d,
         Staged(events::DealCreated{"d1", "Plano", "k1", "b2b", "new", "open", 100, "BRL",
                                    std::string("ana"), std::nullopt, std::string("2026-12-31")},
                "deal/d1"),
         1);
  EXPECT_TRUE(d.exists);
  EXPECT_EQ(d.stage_id, "new");
  EXPECT_EQ(d.owner_id, "ana");
  EXPECT_EQ(d.created_by, "ana");
  // Built whole: assigning into the optionals afterwards trips GCC 12's maybe-uninitialized.
  const events::DealUpdated u{"d1", std::nullopt, 250.5, std::nullopt, std::string()};
  Evolve(d, Staged(u, "deal/d1"), 2);
  EXPECT_EQ(d.value, 250.5);
  EXPECT_EQ(d.owner_id, "");
  EXPECT_EQ(d.expected_close_on, "2026-12-31");
  Evolve(d,
         Staged(events::DealMoved{"d1", "b2b", "new", "dropped", "lost", std::string("price")},
                "deal/d1"),
         3);
  EXPECT_EQ(d.status, "lost");
  EXPECT_EQ(d.lost_reason, "price");
  Evolve(d, Staged(events::DealReopened{"d1", "b2b", "dropped", "demo"}, "deal/d1"), 4);
  EXPECT_EQ(d.status, "open");
  EXPECT_EQ(d.stage_id, "demo");
  EXPECT_EQ(d.lost_reason, "");
  EXPECT_EQ(d.version, 4u);
}

TEST(Funnel, AFunnelIsItsLastDefinitionAndKeepsItsUse) {
  FunnelState f;
  f.in_use["new"] = 3;
  const nlohmann::json stages = {{{"id", "new"}, {"name", "New"}, {"kind", "open"}}};
  Evolve(f, Staged(events::FunnelDefined{"b2b", "B2B", stages}, "funnel/b2b"), 1);
  EXPECT_TRUE(f.exists);
  ASSERT_EQ(f.stages.size(), 1u);
  EXPECT_EQ(f.stages[0].kind, "open");
  EXPECT_EQ(f.in_use.at("new"), 3);
}

}  // namespace
}  // namespace helpdesk
