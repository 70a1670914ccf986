#include "projections/contact_queries.h"

#include <rocksdb/db.h>

#include <algorithm>

#include "adapters/event_codec.h"
#include "domain/directory.h"
#include "domain/json_text.h"
#include "projections/conversation_projector.h"
#include "projections/view_keys.h"
#include "projections/view_queries.h"

namespace helpdesk {
namespace {

using nlohmann::json;

std::string StringOf(const json& j, const char* field) {
  auto it = j.find(field);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The scopes the filters name, narrowest first: the owner's portfolio, the tag, the stage.
std::vector<std::string> NamedScopes(const ContactFilter& f) {
  std::vector<std::string> named;
  if (f.owner) named.push_back(OwnerScope(*f.owner));
  if (f.tag) named.push_back(ContactTagScope(*f.tag));
  if (f.stage) named.push_back(StageScope(f.funnel.value_or("default"), *f.stage));
  return named;
}

// The scope whose index a list reads: the narrowest the filters name.
std::string ScopeOf(const ContactFilter& f) {
  const std::vector<std::string> named = NamedScopes(f);
  return named.empty() ? kEveryContactScope : named.front();
}

// Whether the filters name nothing but scopes.
bool OnlyScopes(const ContactFilter& f) {
  return !f.q && (!f.funnel || f.stage) && f.attributes.empty() && !f.created_after;
}

// Whether the index's scope is all the filters ask (its size is then the total).
bool OnlyScope(const ContactFilter& f) { return NamedScopes(f).size() <= 1 && OnlyScopes(f); }

// The counted scope whose size is the list's total, when there is one: the index's own scope,
// or the pair of the two scopes the filters name (contact_list.h
// ContactIndexEntries::count_scopes).
std::optional<std::string> CountedScopeOf(const ContactFilter& f) {
  if (!OnlyScopes(f)) return std::nullopt;
  const std::vector<std::string> named = NamedScopes(f);
  if (named.size() <= 1) return ScopeOf(f);
  if (named.size() == 2) return PairScope(named[0], named[1]);
  return std::nullopt;
}

std::string AttributeText(const json& value) {
  return value.is_string() ? value.get<std::string>() : DumpJson(value);
}

}  // namespace

bool ContactMatches(const ContactFilter& f, const json& c) {
  if (f.owner && StringOf(c, "owner_id") != *f.owner) return false;
  if (f.tag) {
    const json tags = c.value("tags", json::array());
    if (std::find(tags.begin(), tags.end(), json(*f.tag)) == tags.end()) return false;
  }
  const json stage = c.value("stage", json());
  if (f.funnel && (!stage.is_object() || stage.value("funnel_id", "") != *f.funnel)) return false;
  // A stage without a funnel is the default funnel's (as the stage scopes are).
  if (f.stage && (!stage.is_object() || stage.value("stage_id", "") != *f.stage ||
                  stage.value("funnel_id", "") != f.funnel.value_or("default"))) {
    return false;
  }
  if (f.created_after) {
    const auto created = ParseRfc3339(StringOf(c, "created_at"));
    if (!created || created->ms <= f.created_after->ms) return false;
  }
  const json attributes = c.value("attributes", json::object());
  for (const auto& [key, value] : f.attributes) {
    auto it = attributes.find(key);
    if (it == attributes.end() || AttributeText(*it) != value) return false;
  }
  if (f.q && !f.q->empty()) {
    const std::string needle = FoldForSearch(*f.q);
    bool found = FoldForSearch(StringOf(c, "name")).find(needle) != std::string::npos ||
                 FoldForSearch(StringOf(c, "email")).find(needle) != std::string::npos;
    if (!found && LooksLikePhoneQuery(*f.q)) {
      found = NormalizePhone(StringOf(c, "phone")).find(NormalizePhone(*f.q)) != std::string::npos;
    }
    if (!found) return false;
  }
  return true;
}

std::string ContactCsvHeader(const std::vector<std::string>& attribute_keys) {
  std::string line = "id,name,phone,email,owner,tags,stage";
  for (const std::string& key : attribute_keys) line += "," + CsvField("attr." + key);
  return line + ",created_at,updated_at\r\n";
}

std::string ContactCsvRow(const json& c, const std::vector<std::string>& attribute_keys) {
  std::string tags;
  for (const auto& tag : c.value("tags", json::array())) {
    if (!tag.is_string()) continue;
    tags += (tags.empty() ? "" : ";") + tag.get<std::string>();
  }
  const json stage = c.value("stage", json());
  std::string line = CsvField(StringOf(c, "id")) + "," + CsvField(StringOf(c, "name")) + "," +
                     CsvField(StringOf(c, "phone")) + "," + CsvField(StringOf(c, "email")) + "," +
                     CsvField(StringOf(c, "owner_id")) + "," + CsvField(tags) + "," +
                     CsvField(stage.is_object() ? stage.value("stage_id", "") : "");
  const json attributes = c.value("attributes", json::object());
  for (const std::string& key : attribute_keys) {
    auto it = attributes.find(key);
    line += "," + CsvField(it == attributes.end() ? "" : AttributeText(*it));
  }
  return line + "," + CsvField(StringOf(c, "created_at")) + "," +
         CsvField(StringOf(c, "updated_at")) + "\r\n";
}

void ContactQueries::Scan(const ContactFilter& filter, const std::optional<std::string>& after,
                          const std::function<bool(const std::string&, json)>& each) const {
  const std::string prefix = ContactListPrefix(ScopeOf(filter), filter.sort);
  auto it = views_.NewIterator();
  it->Seek(prefix + after.value_or(""));
  if (after && it->Valid() && it->key().ToString() == prefix + *after) it->Next();
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto stored = views_.Get(view_keys::kContact + it->value().ToString());
    if (!stored) continue;
    json contact = json::parse(*stored, nullptr, false);
    if (!contact.is_object() || !ContactMatches(filter, contact)) continue;
    if (!each(it->key().ToString().substr(prefix.size()), std::move(contact))) return;
  }
  if (!it->status().ok()) throw ViewReadError("cannot read the views: " + it->status().ToString());
}

Result<ContactPage> ContactQueries::List(const ContactFilter& filter,
                                         const std::optional<std::string>& cursor,
                                         size_t limit) const {
  std::optional<std::string> after;
  if (cursor) {
    after = DecodeCursor(*cursor);
    if (!after) return InvalidField("cursor", "is not a cursor of this list");
  }
  // With only the index's own scope, the total is that index's size and the page is the stored
  // texts. With two scopes the total is their pair's count and the walk starts at the cursor;
  // with other filters the total counts the matches of the whole index, in one walk from its
  // start.
  if (OnlyScope(filter)) return ScopePage(filter, after, limit);
  const std::optional<std::string> counted = CountedScopeOf(filter);
  const bool count_all = !counted;
  ContactPage out;
  json items = json::array();
  std::string last;
  Scan(filter, count_all ? std::nullopt : after, [&](const std::string& key, json contact) {
    if (count_all) ++out.total;
    if (after && key <= *after) return true;  // before this page: counted only
    if (items.size() == limit) {
      out.page.next_cursor = EncodeCursor(last);
      return count_all;
    }
    last = key;
    items.push_back(std::move(contact));
    return true;
  });
  if (counted) out.total = ReadCounter(views_.Get(ContactCountKey(*counted)));
  out.page.items_json = DumpJson(items);
  return out;
}

ContactPage ContactQueries::ScopePage(const ContactFilter& filter,
                                      const std::optional<std::string>& after, size_t limit) const {
  // The index holds exactly the scope's contacts, and each stored card is the API object as
  // written (json::dump): the page is the stored texts joined, with nothing parsed.
  const std::string prefix = ContactListPrefix(ScopeOf(filter), filter.sort);
  ContactPage out;
  out.page.items_json = "[";
  size_t count = 0;
  std::string last;
  // One snapshot for the index, the cards and the count: a contact moving between lists while
  // the page is read shows in the list it was in then, and `total` agrees with the items.
  const rocksdb::Snapshot* snapshot = views_.db()->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(views_.db()->NewIterator(ro));
  std::string stored;
  it->Seek(prefix + after.value_or(""));
  if (after && it->Valid() && it->key().ToString() == prefix + *after) it->Next();
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (count == limit) {
      out.page.next_cursor = EncodeCursor(last);
      break;
    }
    if (!views_.db()->Get(ro, view_keys::kContact + it->value().ToString(), &stored).ok()) continue;
    if (count++ > 0) out.page.items_json += ',';
    out.page.items_json += stored;
    last = it->key().ToString().substr(prefix.size());
  }
  const rocksdb::Status scanned = it->status();
  std::string count_text;  // left empty (zero) when absent
  if (!views_.db()->Get(ro, ContactCountKey(ScopeOf(filter)), &count_text).ok()) count_text.clear();
  it.reset();
  views_.db()->ReleaseSnapshot(snapshot);
  if (!scanned.ok()) throw ViewReadError("cannot read the views: " + scanned.ToString());
  out.page.items_json += ']';
  out.total = ReadCounter(count_text);
  return out;
}

void ContactQueries::ForEach(const ContactFilter& filter,
                             const std::function<bool(const json&)>& each) const {
  Scan(filter, std::nullopt, [&](const std::string&, json contact) { return each(contact); });
}

Result<Page> ContactQueries::Timeline(const std::string& contact_id,
                                      const std::optional<std::string>& cursor, size_t limit,
                                      const std::function<bool(const std::string&)>& keep) const {
  std::optional<std::string> after;
  if (cursor) {
    after = DecodeCursor(*cursor);
    if (!after) return InvalidField("cursor", "is not a cursor of this list");
  }
  const std::string prefix = view_keys::kContactTimeline + contact_id + "/";
  const std::string conversation_items = view_keys::kTimeline;
  Page page;
  json items = json::array();
  auto it = views_.NewIterator();
  it->Seek(prefix + after.value_or(""));
  if (after && it->Valid() && it->key().ToString() == prefix + *after) it->Next();
  std::string last;  // the last key looked at: the next page starts after it
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (items.size() == limit) {
      page.next_cursor = EncodeCursor(last);
      break;
    }
    last = it->key().ToString().substr(prefix.size());
    std::string value = it->value().ToString();
    std::string stream;
    if (value.rfind(conversation_items, 0) == 0) {
      // tl/<conversation>/<be64 position>: the conversation's own item. The position's 8
      // bytes may hold a '/' themselves: the id ends 9 bytes before the key does.
      constexpr size_t kPositionSuffix = 1 + 8;
      if (value.size() < conversation_items.size() + kPositionSuffix) continue;
      const std::string conversation = value.substr(
          conversation_items.size(), value.size() - conversation_items.size() - kPositionSuffix);
      if (!keep(conversation)) continue;
      auto stored = views_.Get(value);
      if (!stored) continue;  // deleted since
      value = std::move(*stored);
      stream = ConversationStream(conversation);
    }
    json item = json::parse(value, nullptr, false);
    if (!item.is_object()) continue;
    if (!stream.empty()) item["stream"] = stream;
    items.push_back(std::move(item));
  }
  if (!it->status().ok()) throw ViewReadError("cannot read the views: " + it->status().ToString());
  page.items_json = DumpJson(items);
  return page;
}

Result<Page> ContactQueries::Notes(const std::string& contact_id,
                                   const std::optional<std::string>& cursor, size_t limit) const {
  std::optional<std::string> before;
  if (cursor) {
    before = DecodeCursor(*cursor);
    if (!before) return InvalidField("cursor", "is not a cursor of this list");
  }
  const std::string prefix = view_keys::kContactNotes + contact_id + "/";
  Page page;
  json items = json::array();
  auto it = views_.NewIterator();
  // Newest first: backwards from the end of the contact's notes, or from before the cursor.
  if (before) {
    it->SeekForPrev(prefix + *before);
    if (it->Valid() && it->key().ToString() == prefix + *before) it->Prev();
  } else {
    it->SeekForPrev(prefix + std::string(17, '\xff'));
  }
  std::string last;
  for (; it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    if (items.size() == limit) {
      page.next_cursor = EncodeCursor(last);
      break;
    }
    last = it->key().ToString().substr(prefix.size());
    json note = json::parse(it->value().ToString(), nullptr, false);
    if (note.is_object()) items.push_back(std::move(note));
  }
  if (!it->status().ok()) throw ViewReadError("cannot read the views: " + it->status().ToString());
  page.items_json = DumpJson(items);
  return page;
}

json ContactQueries::Orders(const std::string& contact_id) const {
  const std::string prefix = view_keys::kContactOrders + contact_id + "/";
  std::vector<json> orders;
  auto it = views_.NewIterator();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    json order = json::parse(it->value().ToString(), nullptr, false);
    if (order.is_object()) orders.push_back(std::move(order));
  }
  if (!it->status().ok()) throw ViewReadError("cannot read the views: " + it->status().ToString());
  auto when = [](const json& o) {
    const std::string placed = StringOf(o, "placed_at");
    const auto at = ParseRfc3339(placed.empty() ? StringOf(o, "recorded_at") : placed);
    return at ? at->ms : 0;
  };
  std::stable_sort(orders.begin(), orders.end(),
                   [&](const json& a, const json& b) { return when(a) > when(b); });
  return orders;
}

std::vector<std::string> ContactQueries::ConversationIds(const std::string& contact_id) const {
  const std::string prefix = view_keys::kContactConversations + contact_id + "/";
  std::vector<std::string> ids;
  auto it = views_.NewIterator();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ids.push_back(it->key().ToString().substr(prefix.size()));
  }
  if (!it->status().ok()) throw ViewReadError("cannot read the views: " + it->status().ToString());
  return ids;
}

json ContactQueries::Attributes() const {
  json items = json::array();
  const std::string prefix = view_keys::kContactAttribute;
  auto it = views_.NewIterator();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    json item = json::parse(it->value().ToString(), nullptr, false);
    if (item.is_object()) items.push_back(std::move(item));
  }
  if (!it->status().ok()) throw ViewReadError("cannot read the views: " + it->status().ToString());
  return items;
}

std::optional<json> ContactQueries::Attribute(const std::string& key) const {
  return views_.GetObject(view_keys::kContactAttribute + key);
}

std::optional<json> ContactQueries::Import(const std::string& import_id) const {
  return views_.GetObject(view_keys::kContactImport + import_id);
}

std::vector<json> ContactQueries::RunningImports() const {
  std::vector<json> running;
  const std::string prefix = view_keys::kContactImport;
  auto it = views_.NewIterator();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    json item = json::parse(it->value().ToString(), nullptr, false);
    if (item.is_object() && item.value("status", "") == "running") {
      running.push_back(std::move(item));
    }
  }
  return running;
}

}  // namespace helpdesk
