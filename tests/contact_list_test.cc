// The contact list's index entries (projections/contact_list.h): one key per scope and sort,
// and a count for each scope and each pair of scopes of different kinds.
#include "projections/contact_list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace helpdesk {
namespace {

using nlohmann::json;

json Contact() {
  return json{{"id", "k1"},
              {"name", "Ana Souza"},
              {"owner_id", "u7"},
              {"tags", {"vip", "atacado"}},
              {"stage", {{"funnel_id", "default"}, {"stage_id", "lead"}}},
              {"created_at", "2026-12-01T10:00:00Z"},
              {"updated_at", "2026-12-02T10:00:00Z"},
              {"merged_into", nullptr}};
}

std::vector<std::string> Sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return items;
}

TEST(ContactIndex, EveryScopeHasAKeyPerSortAndEveryPairOfKindsIsCounted) {
  const ContactIndexEntries entries = ContactIndexEntriesOf(Contact());
  const std::vector<std::string> scopes = {"*", "o/u7", "t/atacado", "t/vip", "s/default/lead"};
  ASSERT_EQ(entries.list_keys.size(), 3 * scopes.size());
  for (const std::string& scope : scopes) {
    for (ContactSort sort : {ContactSort::kName, ContactSort::kRecent, ContactSort::kCreated}) {
      const std::string prefix = ContactListPrefix(scope, sort);
      EXPECT_EQ(std::count_if(entries.list_keys.begin(), entries.list_keys.end(),
                              [&](const std::string& k) { return k.starts_with(prefix); }),
                1)
          << scope;
    }
    const std::string by_name = ContactListPrefix(scope, ContactSort::kName);
    const auto found = std::find_if(entries.list_keys.begin(), entries.list_keys.end(),
                                    [&](const std::string& k) { return k.starts_with(by_name); });
    ASSERT_NE(found, entries.list_keys.end()) << scope;
    EXPECT_TRUE(found->ends_with(std::string("ana souza") + '\0' + "k1")) << scope;
  }
  // The newest first: the later the time, the smaller its key.
  const std::string recent = ContactListPrefix("*", ContactSort::kRecent);
  const std::string created = ContactListPrefix("*", ContactSort::kCreated);
  std::string recent_key, created_key;
  for (const std::string& k : entries.list_keys) {
    if (k.starts_with(recent)) recent_key = k.substr(recent.size());
    if (k.starts_with(created)) created_key = k.substr(created.size());
  }
  EXPECT_LT(recent_key, created_key);
  EXPECT_TRUE(recent_key.ends_with("k1"));

  const std::vector<std::string> counted = {
      "*",
      "o/u7",
      "t/atacado",
      "t/vip",
      "s/default/lead",
      PairScope("o/u7", "t/atacado"),
      PairScope("o/u7", "t/vip"),
      PairScope("o/u7", "s/default/lead"),
      PairScope("t/atacado", "s/default/lead"),
      PairScope("t/vip", "s/default/lead"),
  };
  EXPECT_EQ(entries.count_scopes, Sorted(counted));  // two tags are one kind: not a pair
  EXPECT_TRUE(std::is_sorted(entries.list_keys.begin(), entries.list_keys.end()));
}

TEST(ContactIndex, AMergedDuplicateIsInNoListAndCountedNowhere) {
  json merged = Contact();
  merged["merged_into"] = "k2";
  const ContactIndexEntries entries = ContactIndexEntriesOf(merged);
  EXPECT_TRUE(entries.list_keys.empty());
  EXPECT_TRUE(entries.count_scopes.empty());
}

TEST(ContactIndex, AContactWithNothingButANameIsInTheWholeListOnly) {
  const ContactIndexEntries entries = ContactIndexEntriesOf(
      json{{"id", "k3"}, {"name", "Bia"}, {"created_at", "2026-12-01T10:00:00Z"}});
  EXPECT_EQ(entries.count_scopes, std::vector<std::string>{"*"});
  ASSERT_EQ(entries.list_keys.size(), 3u);
  for (const std::string& k : entries.list_keys) EXPECT_TRUE(k.ends_with("k3"));
}

}  // namespace
}  // namespace helpdesk
