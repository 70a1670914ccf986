// FunnelProjector: funnels, deals and the contacts' stages into the sales views (view_keys.h,
// "Funnels and deals"):
//   - the funnels admins defined (fn/) and each deal as the API shows it (dl/);
//   - the deal lists: one key per deal and scope (every deal, a funnel, a stage, an owner, a
//     contact, a status), newest first, valued with the fields the other filters test, and a
//     counter per scope (`total`);
//   - the board: per stage, its deals, their value and its contacts (fb/), who stands there
//     ordered by entry (fe/: the oldest is one seek), where each stands (fm/), and after each
//     change the stage's board as it became (fh/: the board at any past instant is one reverse
//     seek per stage);
//   - the funnel report's cells per 15-minute slot and UTC day (fr/): entered, moved on, won,
//     lost and time in stage per stage, and the won value;
//   - each deal event in its contact's timeline (kt/).
// Contacts' events reach it too (their stage); a merge moves the duplicate's deals to the
// survivor.
#pragma once

#include <string>

#include "domain/event.h"
#include "projections/view_txn.h"

namespace helpdesk {

class FunnelProjector {
 public:
  // An event of a funnel's, a deal's or a contact's stream.
  void Apply(const RecordedEvent& r, ViewTxn& txn) const;
};

// Deal list scopes: every deal, a funnel's, a stage's, an owner's, a contact's, a status'.
inline constexpr char kEveryDealScope[] = "*";
inline std::string DealFunnelScope(const std::string& funnel) { return "f/" + funnel; }
inline std::string DealStageScope(const std::string& funnel, const std::string& stage) {
  return "s/" + funnel + "/" + stage;
}
inline std::string DealOwnerScope(const std::string& owner) { return "o/" + owner; }
inline std::string DealContactScope(const std::string& contact) { return "k/" + contact; }
inline std::string DealStatusScope(const std::string& status) { return "st/" + status; }
// The value of a deal's list keys: the fields filters test without reading the deal.
struct DealListEntry {
  std::string funnel_id, stage_id, owner_id, contact_id, status, expected_close_on;
};
std::string EncodeDealListEntry(const DealListEntry& entry);
DealListEntry DecodeDealListEntry(std::string_view value);

std::string BoardStageKey(const std::string& funnel, const std::string& stage);
std::string BoardHistoryPrefix(const std::string& funnel, const std::string& stage);
std::string FunnelReportPrefix(const std::string& funnel, char grain);

}  // namespace helpdesk
