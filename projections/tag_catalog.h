// The tag catalog (GET /api/v1/tags): every tag ever put on a conversation or a contact, for the
// pickers of a UI. Kept as one key per tag holding when it was last put on something; how many
// open conversations carry it is the inbox's counter (inbox_index.h TagCounterKey) and how many
// contacts, the contact list's (contact_list.h), so a page is a seek and `limit` short reads.
//
//   tg/<tag>  ->  be64 ms of its last use (the latest, whatever order the events are read in)
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/result.h"
#include "domain/time.h"
#include "projections/view_store.h"
#include "projections/view_txn.h"

namespace helpdesk {

// A conversation's or a contact's tags went from `before` to `after` at `at`: the ones added
// were used then.
void RecordTagsAdded(ViewTxn& txn, const std::set<std::string>& before,
                     const std::set<std::string>& after, Timestamp at);

struct TagQuery {
  std::string prefix;  // byte prefix of the tag (case-sensitive, as tags are)
  size_t limit = 50;
  std::optional<std::string> cursor;
};

struct TagPage {
  std::string items_json;  // [{tag, open_count, contacts_count, last_used_at}], A→Z
  std::optional<std::string> next_cursor;
};

// Errors: invalid_field "cursor" for a cursor this list did not make.
Result<TagPage> QueryTags(const ViewStore& views, const TagQuery& query);

}  // namespace helpdesk
