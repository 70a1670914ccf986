// Read-side queries of contacts: the filtered, sorted list with its total, a contact's notes and
// conversations, the attribute definitions. All thread-safe (RocksDB reads).
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/result.h"
#include "domain/time.h"
#include "projections/contact_list.h"
#include "projections/inbox_query.h"
#include "projections/view_store.h"

namespace helpdesk {

// GET /contacts' filters; absent ones do not narrow.
struct ContactFilter {
  std::optional<std::string> q;  // the name or e-mail (folded), or a phone's digits
  std::optional<std::string> owner, tag, funnel, stage;
  std::map<std::string, std::string> attributes;  // attr.<key>=<value>, compared as text
  std::optional<Timestamp> created_after;
  ContactSort sort = ContactSort::kName;
};

struct ContactPage {
  Page page;
  int64_t total = 0;  // every match, not just this page's
};

class ContactQueries {
 public:
  explicit ContactQueries(const ViewStore& views) : views_(views) {}

  // A page of the list. A page is a seek into the narrowest index the filters name (an owner,
  // else a tag, else a stage, else every contact) and a scan of `limit` matches; `total` is one
  // read of that index's size, or with other filters a count over that index.
  // Errors: invalid_field "cursor" for a cursor this list did not make.
  Result<ContactPage> List(const ContactFilter& filter, const std::optional<std::string>& cursor,
                           size_t limit) const;
  // Every match in the list's order, one at a time (the CSV export); stops when `each` is false.
  void ForEach(const ContactFilter& filter,
               const std::function<bool(const nlohmann::json&)>& each) const;
  // The contact's notes, newest first.
  Result<Page> Notes(const std::string& contact_id, const std::optional<std::string>& cursor,
                     size_t limit) const;
  // The contact's whole history, oldest first: its own events and its conversations' (each
  // item a timeline item with its `stream`). A conversation deleted since is left out.
  // `keep(conversation_id)` drops the items of conversations it answers false for.
  Result<Page> Timeline(const std::string& contact_id, const std::optional<std::string>& cursor,
                        size_t limit, const std::function<bool(const std::string&)>& keep) const;
  // The contact's orders and returns, newest first (placed_at, else when first recorded).
  nlohmann::json Orders(const std::string& contact_id) const;
  // The ids of the contact's conversations (any age, any status).
  std::vector<std::string> ConversationIds(const std::string& contact_id) const;
  // Attribute definitions by key.
  nlohmann::json Attributes() const;
  std::optional<nlohmann::json> Attribute(const std::string& key) const;
  // A contacts import's progress (ImportProjector), and those still running.
  std::optional<nlohmann::json> Import(const std::string& import_id) const;
  std::vector<nlohmann::json> RunningImports() const;

 private:
  // A page of a list whose only filter is its index's scope: no parsing, the total a counter.
  ContactPage ScopePage(const ContactFilter& filter, const std::optional<std::string>& after,
                        size_t limit) const;
  // Walks the filter's index in its order, after the key `after` (a key within the index) if
  // given, calling `each` with each matching contact and its key until it returns false.
  void Scan(const ContactFilter& filter, const std::optional<std::string>& after,
            const std::function<bool(const std::string& key, nlohmann::json contact)>& each) const;

  const ViewStore& views_;
};

// The contacts CSV (RFC 4180, formula-safe cells): its header and one contact's row. The
// columns are the import's (name, phone, email, owner, tags as "a;b", stage, attr.<key> for each
// of `attribute_keys`) after the contact's id, and its created_at and updated_at last.
std::string ContactCsvHeader(const std::vector<std::string>& attribute_keys);
std::string ContactCsvRow(const nlohmann::json& contact,
                          const std::vector<std::string>& attribute_keys);

// Whether a contact (its API object) passes every filter but the index's own scope.
bool ContactMatches(const ContactFilter& filter, const nlohmann::json& contact);

}  // namespace helpdesk
