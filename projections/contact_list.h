// The contact list's indexes: for each scope a contact is in (every contact; an owner's
// portfolio; a tag; a funnel stage) and each sort (name, recent, created), one key whose order
// is the list's order, so a page is a seek and a scan of `limit` keys; and each scope's size, so
// `total` is one read when the list has no other filter.
//
//   kx/<scope>\0<sort letter><sort key>  ->  the contact's id
//   kn/<scope>                           ->  how many contacts are in it (a counter)
//
// Scopes: "*", "o/<user id>", "t/<tag>", "s/<funnel>/<stage>". Sort letters: 'n' name A→Z (folded
// for search), 'r' most recently changed first, 'c' newest first.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace helpdesk {

enum class ContactSort { kName, kRecent, kCreated };
std::optional<ContactSort> ParseContactSort(const std::string& text);

// Scope names.
inline std::string OwnerScope(const std::string& user) { return "o/" + user; }
inline std::string ContactTagScope(const std::string& tag) { return "t/" + tag; }
// A stage of a funnel (ids of both have no '/').
inline std::string StageScope(const std::string& funnel_id, const std::string& stage) {
  return "s/" + funnel_id + "/" + stage;
}
inline const char* kEveryContactScope = "*";

// The scopes a contact (its API object) is in, sorted, without repeats.
std::vector<std::string> ContactScopes(const nlohmann::json& contact);
// Two scopes of different kinds at once ("o/ana" and "t/vip"): counted, not indexed, so the
// `total` of a list filtered by two of owner, tag and stage is one read too.
std::string PairScope(const std::string& a, const std::string& b);
// A contact's entries in the indexes, each list sorted and without repeats.
struct ContactIndexEntries {
  // Its key in every one of its scopes and sorts.
  std::vector<std::string> list_keys;
  // The scopes whose sizes count it: its scopes and every pair of them of different kinds.
  std::vector<std::string> count_scopes;
};
ContactIndexEntries ContactIndexEntriesOf(const nlohmann::json& contact);
// Where a scope's keys of one sort begin (each key under it ends with the contact's id).
std::string ContactListPrefix(const std::string& scope, ContactSort sort);
std::string ContactCountKey(const std::string& scope);

}  // namespace helpdesk
