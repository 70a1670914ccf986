#include "projections/contact_list.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "domain/contact.h"
#include "domain/time.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

// Newest first: the time inverted, as fixed-width hex.
std::string Inverted(const json& contact, const char* field) {
  auto it = contact.find(field);
  const auto at = it != contact.end() && it->is_string()
                      ? ParseRfc3339(it->get_ref<const std::string&>())
                      : std::nullopt;
  char out[17];
  std::snprintf(
      out, sizeof out, "%016llx",
      static_cast<unsigned long long>(UINT64_MAX - static_cast<uint64_t>(at ? at->ms : 0)));
  return out;
}

void SortUnique(std::vector<std::string>& items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
}

std::string OptString(const json& contact, const char* field) {
  auto it = contact.find(field);
  return it != contact.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::optional<ContactSort> ParseContactSort(const std::string& text) {
  if (text == "name") return ContactSort::kName;
  if (text == "recent") return ContactSort::kRecent;
  if (text == "created") return ContactSort::kCreated;
  return std::nullopt;
}

std::vector<std::string> ContactScopes(const json& contact) {
  // A duplicate merged into another contact leaves every list: the survivor stands for it.
  if (!OptString(contact, "merged_into").empty()) return {};
  std::vector<std::string> scopes{kEveryContactScope};
  if (const std::string owner = OptString(contact, "owner_id"); !owner.empty()) {
    scopes.push_back(OwnerScope(owner));
  }
  if (auto tags = contact.find("tags"); tags != contact.end() && tags->is_array()) {
    for (const auto& tag : *tags) {
      if (tag.is_string()) scopes.push_back(ContactTagScope(tag.get_ref<const std::string&>()));
    }
  }
  if (auto stage = contact.find("stage"); stage != contact.end() && stage->is_object()) {
    scopes.push_back(
        StageScope(stage->value("funnel_id", "default"), stage->value("stage_id", "")));
  }
  SortUnique(scopes);
  return scopes;
}

std::string PairScope(const std::string& a, const std::string& b) {
  std::string pair = std::min(a, b);
  pair.push_back('\0');
  return pair + std::max(a, b);
}

namespace {

// Every pair of `scopes` (sorted) of different kinds, added to `scopes`.
void AddPairScopes(std::vector<std::string>& scopes) {
  const size_t single = scopes.size();
  for (size_t i = 0; i < single; ++i) {
    if (scopes[i] == kEveryContactScope) continue;
    for (size_t j = i + 1; j < single; ++j) {
      if (scopes[j] != kEveryContactScope && scopes[i][0] != scopes[j][0]) {
        scopes.push_back(PairScope(scopes[i], scopes[j]));
      }
    }
  }
}

}  // namespace

std::string ContactListPrefix(const std::string& scope, ContactSort sort) {
  static constexpr char kLetters[] = {'n', 'r', 'c'};
  std::string prefix = view_keys::kContactList + scope;
  prefix.push_back('\0');
  prefix.push_back(kLetters[static_cast<int>(sort)]);
  return prefix;
}

ContactIndexEntries ContactIndexEntriesOf(const json& contact) {
  const std::vector<std::string> scopes = ContactScopes(contact);
  ContactIndexEntries out;
  out.count_scopes = scopes;
  AddPairScopes(out.count_scopes);
  SortUnique(out.count_scopes);
  if (scopes.empty()) return out;
  // Each sort's key after its prefix, the same in every scope. The name's ends in '\0' and the
  // id: "Ana" sorts before "Ana B", and ties by id.
  const std::string id = OptString(contact, "id");
  std::string by_name = NameSortKey(OptString(contact, "name"));
  by_name.push_back('\0');
  by_name += id;
  const std::string by_recent = Inverted(contact, "updated_at") + id;
  const std::string by_created = Inverted(contact, "created_at") + id;
  out.list_keys.reserve(3 * scopes.size());
  for (const std::string& scope : scopes) {
    out.list_keys.push_back(ContactListPrefix(scope, ContactSort::kName) + by_name);
    out.list_keys.push_back(ContactListPrefix(scope, ContactSort::kRecent) + by_recent);
    out.list_keys.push_back(ContactListPrefix(scope, ContactSort::kCreated) + by_created);
  }
  SortUnique(out.list_keys);
  return out;
}

std::string ContactCountKey(const std::string& scope) { return view_keys::kContactCount + scope; }

}  // namespace helpdesk
