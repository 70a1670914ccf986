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

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "domain/event.h"
#include "domain/events.h"
#include "projections/view_txn.h"

namespace helpdesk {

class FunnelProjector {
 public:
  // An event of a funnel's, a deal's or a contact's stream.
  void Apply(const RecordedEvent& r, ViewTxn& txn) const { Apply(r, events::Decode(r.event), txn); }
  // The same, already decoded (events::Decode of `r.event`).
  void Apply(const RecordedEvent& r, const std::optional<events::Event>& event, ViewTxn& txn) const;
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

// A stage's board (fb/ and each fh/ row): 40 bytes, fixed.
struct StageBoard {
  int64_t deals = 0, contacts = 0;
  int64_t value_thousandths = 0;  // the sum of their values (DealValueThousandths)
  int64_t oldest_ms = -1;         // the earliest entry of who stands there; -1 nobody
  // The time of the stage's last history row. Rows are keyed at the later of their event's time
  // and this one, so that the last row is always the board as it stands, even when events come
  // out of time order (partitions, a clock stepping back).
  int64_t last_row_ms = 0;
};
std::string EncodeStageBoard(const StageBoard& board);
StageBoard DecodeStageBoard(std::string_view value);

std::string BoardStageKey(const std::string& funnel, const std::string& stage);
std::string BoardHistoryPrefix(const std::string& funnel, const std::string& stage);
// The report's cells are period cells (period_cells.h), one key per measure:
//   fr/<funnel>\0<grain><be64 slot or day>\0<stage>\0<measure>
// measures: e entered, m moved on, w won, l lost (counters); h the stays that ended (a
// histogram); the won value is stage "" measure "wv", in thousandths.
std::string FunnelReportPrefix(const std::string& funnel, char grain);

}  // namespace helpdesk
