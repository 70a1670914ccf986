// Sales funnels and deals: the ordered stages a contact or a deal moves through, and the rules of
// those moves that need no storage. A desk starts with one funnel, `default`; admins define more
// or redefine it (FunnelDefined). A deal lives in one funnel; its status follows the kind of the
// stage it is in (open, won, lost).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/event.h"
#include "domain/events.h"
#include "domain/evolve.h"

namespace helpdesk {

inline constexpr char kDefaultFunnelId[] = "default";
inline constexpr size_t kMaxFunnelStages = 50;

struct FunnelStage {
  std::string id, name;
  std::string kind = "open";  // "open" | "won" | "lost"
  friend bool operator==(const FunnelStage&, const FunnelStage&) = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FunnelStage, id, name, kind)

struct FunnelState {
  bool exists = false;
  uint64_t version = 0;
  std::string id, name;
  std::vector<FunnelStage> stages;  // in funnel order
  // How many contacts and deals stand in each stage, by stage id (kept by the write model from
  // contacts' and deals' streams: a stage in use cannot be removed). Absent: none.
  std::map<std::string, int64_t> in_use;
};

// The funnel a new desk has: lead, contacted, qualified, proposal, won (won), lost (lost).
const FunnelState& DefaultFunnel();

// The stage of `funnel` with this id, or null.
const FunnelStage* FindStage(const FunnelState& funnel, const std::string& stage_id);
// Its position in the funnel's order; -1 when absent.
int StageIndex(const FunnelState& funnel, const std::string& stage_id);
// The funnel's first open stage: where a deal starts, or reopens, and where a new contact of the
// default funnel stands, unless told otherwise. "" when it has none.
std::string FirstOpenStage(const FunnelState& funnel);

// What is wrong with a funnel definition ({field, why}), or nullopt: a name of 1–256 bytes;
// 1–50 stages of distinct ids (1–64 of [A-Za-z0-9_.-]), names 1–256 bytes, kinds open, won or
// lost; at least one open stage.
std::optional<std::pair<std::string, std::string>> FunnelProblem(
    const std::string& name, const std::vector<FunnelStage>& stages);
// Why `replacement` cannot redefine `current`'s stages: it removes a stage contacts or deals
// stand in, or changes such a stage's kind (their statuses follow it). nullopt when it can.
std::optional<std::string> RedefinitionProblem(const FunnelState& current,
                                               const std::vector<FunnelStage>& replacement);

// The status a deal has in a stage of this kind: "open", "won" or "lost".
std::string DealStatusOfKind(const std::string& kind);

struct DealState {
  bool exists = false;
  uint64_t version = 0;
  std::string id, title, contact_id, funnel_id, stage_id;
  std::string status = "open";  // "open" | "won" | "lost"
  double value = 0;
  std::string currency;
  std::string owner_id, conversation_id, expected_close_on, lost_reason;  // "" none
  std::string created_by;
};

// Field rules of a deal: a title of 1–256 bytes; a value finite, >= 0 and at most 10^13; a
// currency an ISO 4217 code in use. (A closing date is a calendar date: domain/time.h.)
std::optional<std::string> DealTitleProblem(const std::string& title);
std::optional<std::string> DealValueProblem(double value);
bool IsCurrencyCode(const std::string& code);
// Sums of deal values (a stage's on the board, the won value of a report) are kept in
// thousandths, as integers: a sum of doubles drifts (0.1 + 0.7 - 0.1 - 0.7 is not 0), and a
// stage's total would show cents that no deal has. A value is counted to the nearest thousandth.
int64_t DealValueThousandths(double value);
double DealValueFromThousandths(int64_t thousandths);

// What a move of a deal from one stage to another means for the funnel report (pure, by the
// funnel's order): `moved_on` when it leaves an open stage for a later one; `won`/`lost` when it
// lands in a stage of that kind.
struct StageStep {
  bool moved_on = false, won = false, lost = false;
};
StageStep StepOf(const FunnelState& funnel, const std::string& from, const std::string& to);

// Each state's move with one event of its stream (domain/evolve.h).
void Evolve(FunnelState& s, const NewEvent& e, const std::optional<events::Event>& decoded,
            uint64_t stream_version);
void Evolve(DealState& s, const NewEvent& e, const std::optional<events::Event>& decoded,
            uint64_t stream_version);

}  // namespace helpdesk
