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
  const auto at = ParseRfc3339(contact.value(field, ""));
  char out[17];
  std::snprintf(
      out, sizeof out, "%016llx",
      static_cast<unsigned long long>(UINT64_MAX - static_cast<uint64_t>(at ? at->ms : 0)));
  return out;
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

std::set<std::string> ContactScopes(const json& contact) {
  // A duplicate merged into another contact leaves every list: the survivor stands for it.
  if (!OptString(contact, "merged_into").empty()) return {};
  std::set<std::string> scopes{kEveryContactScope};
  if (const std::string owner = OptString(contact, "owner_id"); !owner.empty()) {
    scopes.insert(OwnerScope(owner));
  }
  for (const auto& tag : contact.value("tags", json::array())) {
    if (tag.is_string()) scopes.insert(ContactTagScope(tag.get<std::string>()));
  }
  if (auto stage = contact.find("stage"); stage != contact.end() && stage->is_object()) {
    scopes.insert(StageScope(stage->value("funnel_id", "default"), stage->value("stage_id", "")));
  }
  return scopes;
}

std::string PairScope(const std::string& a, const std::string& b) {
  std::string pair = std::min(a, b);
  pair.push_back('\0');
  return pair + std::max(a, b);
}

std::set<std::string> ContactCountScopes(const json& contact) {
  std::set<std::string> scopes = ContactScopes(contact);
  std::vector<std::string> kinded;
  for (const std::string& scope : scopes) {
    if (scope != kEveryContactScope) kinded.push_back(scope);
  }
  for (size_t i = 0; i < kinded.size(); ++i) {
    for (size_t j = i + 1; j < kinded.size(); ++j) {
      if (kinded[i][0] != kinded[j][0]) scopes.insert(PairScope(kinded[i], kinded[j]));
    }
  }
  return scopes;
}

std::string ContactListPrefix(const std::string& scope, ContactSort sort) {
  static constexpr char kLetters[] = {'n', 'r', 'c'};
  std::string prefix = view_keys::kContactList + scope;
  prefix.push_back('\0');
  prefix.push_back(kLetters[static_cast<int>(sort)]);
  return prefix;
}

std::set<std::string> ContactListKeys(const json& contact) {
  const std::string id = OptString(contact, "id");
  std::set<std::string> keys;
  for (const std::string& scope : ContactScopes(contact)) {
    // The name's key ends in '\0' and the id: "Ana" sorts before "Ana B", and ties by id.
    std::string by_name =
        ContactListPrefix(scope, ContactSort::kName) + NameSortKey(OptString(contact, "name"));
    by_name.push_back('\0');
    keys.insert(by_name + id);
    keys.insert(ContactListPrefix(scope, ContactSort::kRecent) + Inverted(contact, "updated_at") +
                id);
    keys.insert(ContactListPrefix(scope, ContactSort::kCreated) + Inverted(contact, "created_at") +
                id);
  }
  return keys;
}

std::string ContactCountKey(const std::string& scope) { return view_keys::kContactCount + scope; }

}  // namespace helpdesk
