#include "domain/funnel.h"

#include <cmath>
#include <set>
#include <string_view>

#include "domain/events.h"
#include "domain/text.h"

namespace helpdesk {
namespace {

constexpr size_t kMaxNameBytes = 256;
constexpr double kMaxDealValue = 1e13;

bool IsStageId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// ISO 4217 codes in use (2026), three letters each.
constexpr std::string_view kCurrencies =
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP "
    "BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP "
    "GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR "
    "KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK "
    "MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR "
    "SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS "
    "UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG";

FunnelState MakeDefaultFunnel() {
  FunnelState f;
  f.exists = true;
  f.id = kDefaultFunnelId;
  f.name = "Sales";
  f.stages = {{"lead", "Lead", "open"},
              {"contacted", "Contacted", "open"},
              {"qualified", "Qualified", "open"},
              {"proposal", "Proposal", "open"},
              {"won", "Won", "won"},
              {"lost", "Lost", "lost"}};
  return f;
}

}  // namespace

const FunnelState& DefaultFunnel() {
  static const FunnelState kDefault = MakeDefaultFunnel();
  return kDefault;
}

const FunnelStage* FindStage(const FunnelState& funnel, const std::string& stage_id) {
  for (const FunnelStage& stage : funnel.stages) {
    if (stage.id == stage_id) return &stage;
  }
  return nullptr;
}

int StageIndex(const FunnelState& funnel, const std::string& stage_id) {
  for (size_t i = 0; i < funnel.stages.size(); ++i) {
    if (funnel.stages[i].id == stage_id) return static_cast<int>(i);
  }
  return -1;
}

std::string FirstOpenStage(const FunnelState& funnel) {
  for (const FunnelStage& s : funnel.stages) {
    if (s.kind == "open") return s.id;
  }
  return "";
}

std::optional<std::pair<std::string, std::string>> FunnelProblem(
    const std::string& name, const std::vector<FunnelStage>& stages) {
  if (Trimmed(name).empty() || name.size() > kMaxNameBytes || HasControlCharacter(name)) {
    return {{"name", "must be 1 to 256 bytes without control characters, not blank"}};
  }
  if (stages.empty() || stages.size() > kMaxFunnelStages) {
    return {{"stages", "must hold 1 to 50 stages"}};
  }
  std::set<std::string> seen;
  bool any_open = false;
  for (size_t i = 0; i < stages.size(); ++i) {
    const FunnelStage& s = stages[i];
    const std::string field = "stages[" + std::to_string(i) + "]";
    if (!IsStageId(s.id)) return {{field + ".id", "must be 1 to 64 of [A-Za-z0-9_.-]"}};
    if (!seen.insert(s.id).second) return {{field + ".id", "repeats '" + s.id + "'"}};
    if (Trimmed(s.name).empty() || s.name.size() > kMaxNameBytes || HasControlCharacter(s.name)) {
      return {{field + ".name", "must be 1 to 256 bytes without control characters, not blank"}};
    }
    if (s.kind != "open" && s.kind != "won" && s.kind != "lost") {
      return {{field + ".kind", "must be open, won or lost"}};
    }
    any_open = any_open || s.kind == "open";
  }
  if (!any_open) return {{"stages", "must hold at least one open stage"}};
  return std::nullopt;
}

std::optional<std::string> RedefinitionProblem(const FunnelState& current,
                                               const std::vector<FunnelStage>& replacement) {
  for (const FunnelStage& stage : current.stages) {
    auto use = current.in_use.find(stage.id);
    if (use == current.in_use.end() || use->second <= 0) continue;
    const FunnelStage* kept = nullptr;
    for (const FunnelStage& s : replacement) {
      if (s.id == stage.id) kept = &s;
    }
    if (!kept) return "stage " + stage.id + " is in use and cannot be removed";
    if (kept->kind != stage.kind) return "stage " + stage.id + " is in use: its kind cannot change";
  }
  return std::nullopt;
}

std::string DealStatusOfKind(const std::string& kind) {
  return kind == "won" || kind == "lost" ? kind : "open";
}

std::optional<std::string> DealTitleProblem(const std::string& title) {
  if (Trimmed(title).empty() || title.size() > kMaxNameBytes || HasControlCharacter(title)) {
    return "must be 1 to 256 bytes without control characters, not blank";
  }
  return std::nullopt;
}

std::optional<std::string> DealValueProblem(double value) {
  if (!std::isfinite(value) || value < 0 || value > kMaxDealValue) {
    return "must be a number from 0 to 10000000000000";
  }
  return std::nullopt;
}

int64_t DealValueThousandths(double value) { return std::llround(value * 1000); }

double DealValueFromThousandths(int64_t thousandths) {
  return static_cast<double>(thousandths) / 1000;
}

bool IsCurrencyCode(const std::string& code) {
  if (code.size() != 3) return false;
  for (char c : code) {
    if (c < 'A' || c > 'Z') return false;
  }
  for (size_t i = 0; i + 3 <= kCurrencies.size(); i += 4) {
    if (kCurrencies.substr(i, 3) == code) return true;
  }
  return false;
}

StageStep StepOf(const FunnelState& funnel, const std::string& from, const std::string& to) {
  StageStep step;
  const FunnelStage* source = FindStage(funnel, from);
  const FunnelStage* target = FindStage(funnel, to);
  if (target) {
    step.won = target->kind == "won";
    step.lost = target->kind == "lost";
  }
  if (source && target && source->kind == "open") {
    step.moved_on = StageIndex(funnel, to) > StageIndex(funnel, from) && !step.lost;
  }
  return step;
}

void Evolve(FunnelState& s, const NewEvent&, const std::optional<events::Event>& event,
            uint64_t v) {
  s.version = v;
  const auto* defined = events::As<events::FunnelDefined>(event);
  if (!defined) return;
  s.exists = true;
  s.id = defined->funnel_id;
  s.name = defined->name;
  s.stages.clear();
  for (const auto& stage : defined->stages) {
    if (!stage.is_object()) continue;
    s.stages.push_back(
        {stage.value("id", ""), stage.value("name", ""), stage.value("kind", "open")});
  }
}

void Evolve(DealState& s, const NewEvent& e, const std::optional<events::Event>& event,
            uint64_t v) {
  s.version = v;
  if (!event) return;
  std::visit(events::Overloaded{
                 [&](const events::DealCreated& c) {
                   s.exists = true;
                   s.id = c.deal_id;
                   s.title = c.title;
                   s.contact_id = c.contact_id;
                   s.funnel_id = c.funnel_id;
                   s.stage_id = c.stage_id;
                   s.status = c.status;
                   s.value = c.value;
                   s.currency = c.currency;
                   s.owner_id = c.owner_id.value_or("");
                   s.conversation_id = c.conversation_id.value_or("");
                   s.expected_close_on = c.expected_close_on.value_or("");
                   s.created_by = e.actor.id;
                 },
                 [&](const events::DealUpdated& u) {
                   if (u.title) s.title = *u.title;
                   if (u.value) s.value = *u.value;
                   if (u.currency) s.currency = *u.currency;
                   if (u.owner_id) s.owner_id = *u.owner_id;
                   if (u.expected_close_on) s.expected_close_on = *u.expected_close_on;
                 },
                 [&](const events::DealMoved& m) {
                   s.stage_id = m.to;
                   s.status = m.status;
                   s.lost_reason = m.status == "lost" ? m.reason.value_or("") : "";
                 },
                 [&](const events::DealReopened& r) {
                   s.stage_id = r.to;
                   s.status = "open";
                   s.lost_reason.clear();
                 },
                 [](const auto&) {},
             },
             *event);
}

}  // namespace helpdesk
