#include "projections/tag_catalog.h"

#include <rocksdb/db.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "adapters/rocks_status.h"
#include "domain/json_text.h"
#include "projections/contact_list.h"
#include "projections/conversation_projector.h"
#include "projections/inbox_index.h"
#include "projections/inbox_query.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

int64_t StoredMs(const std::optional<std::string>& stored) {
  if (!stored || stored->size() != 8) return INT64_MIN;
  return static_cast<int64_t>(DecodeBigEndian64(stored->data()));
}

int64_t CounterAt(const ViewStore& views, const rocksdb::ReadOptions& ro, const std::string& key) {
  std::string stored;
  if (!views.db()->Get(ro, key, &stored).ok()) return 0;
  return ReadCounter(stored);
}

}  // namespace

void RecordTagsAdded(ViewTxn& txn, const std::set<std::string>& before,
                     const std::set<std::string>& after, Timestamp at) {
  for (const std::string& tag : after) {
    if (before.count(tag)) continue;
    const std::string key = view_keys::kTagUse + tag;
    if (StoredMs(txn.Get(key)) >= at.ms) continue;
    txn.Put(key, EncodeBigEndian64(static_cast<uint64_t>(at.ms)));
  }
}

Result<TagPage> QueryTags(const ViewStore& views, const TagQuery& q) {
  const std::string prefix = view_keys::kTagUse + q.prefix;
  std::optional<std::string> after;
  if (q.cursor) {
    after = DecodeCursor(*q.cursor);
    if (!after || !after->starts_with(q.prefix)) {
      return InvalidField("cursor", "is not a cursor of this list");
    }
  }
  const rocksdb::Snapshot* snapshot = views.db()->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(views.db()->NewIterator(ro));
  it->Seek(after ? view_keys::kTagUse + *after : prefix);
  if (after && it->Valid() && it->key().ToString() == view_keys::kTagUse + *after) it->Next();

  TagPage page;
  nlohmann::json items = nlohmann::json::array();
  std::string last;
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (items.size() == q.limit) {
      page.next_cursor = EncodeCursor(last);
      break;
    }
    last = it->key().ToString().substr(sizeof(view_keys::kTagUse) - 1);
    const int64_t used_ms = StoredMs(it->value().ToString());
    items.push_back(
        {{"tag", last},
         {"open_count", CounterAt(views, ro, TagCounterKey(last))},
         {"contacts_count", CounterAt(views, ro, ContactCountKey(ContactTagScope(last)))},
         {"last_used_at", FormatRfc3339(Timestamp{used_ms})}});
  }
  const rocksdb::Status scanned = it->status();
  it.reset();
  views.db()->ReleaseSnapshot(snapshot);
  if (!scanned.ok()) return Error{ErrorCode::kInternal, "cannot read the tag catalog"};
  page.items_json = DumpJson(items);
  return page;
}

}  // namespace helpdesk
