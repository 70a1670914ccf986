// ViewStore: the RocksDB database holding every read model. Key spaces (prefixes):
//   c/<id>   conversation as the API renders it     cs/<id>  conversation state (projector's)
//   i/…      inbox indexes (inbox_index.h)          m/<id>/<pos>, tl/<id>/<pos>  messages, timeline
//   n/…      counters                               d/<until>/<id>  postpone wake-up schedule
//   u/ t/ ch/ k/ <id>  users, teams, channels, contacts   kc/<contact>/<conv>  a contact's
//   conversations      r/…  report cells (report_cells.h)      qr/<id>  quick replies
//   tpl/<channel>/<id>  message templates   nt/<user>/<inverted time><event>  notifications
//   pr/<conversation>, prn/<protocol>  ticket protocols, both ways
//   kno/<contact>/<ms><pos>  notes about a contact   knn/<contact>/<notification>  mentions they
//   made kx/<scope>\0<sort>…, kn/<scope>  the contact lists and their sizes (contact_list.h)
//   ka/<key>  contacts' custom attribute definitions   set/desk  the desk's settings
//   dq/<conversation>/<message>  messages waiting for delivery to their channel's provider,
//   md/<conversation>/<message>  where such a message's item is (to mark its outcome)
//   rm/<conversation>  report marks left by a rebuild of the reports (report_rebuild.h)
//   meta/version, meta/report_definition, meta/offset  the views' version, the reports'
//   definition version, and the log position they include
//
// The offset is written in the same WriteBatch as the view updates it covers, so after a crash
// the views resume exactly where they are: no event is skipped or applied twice. Batches skip
// RocksDB's write-ahead log: a crash loses those not yet written out to files, their offset
// with them, and the projector applies their events again.
// When kViewsVersion changes (a view's shape or meaning changed), the views are dropped and
// rebuilt from the log at start.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "adapters/consistency_token.h"
#include "domain/report_rules.h"
#include "domain/result.h"

namespace rocksdb {
class DB;
class Iterator;
class WriteBatch;
}  // namespace rocksdb

namespace helpdesk {

// 13: tasks; 14: reminders sent kept apart (trs/); 15: report marks know their definition;
// 16: a board stage's value summed in thousandths (it was a double, and drifted); 17: a mark for
// a contact whose conversation was read first (kw/)
constexpr int kViewsVersion = 17;
// The views also record the report definition (domain/report_rules.h) their report cells were
// counted with. When this build's kReportDefinitionVersion is another, only the reports are
// rebuilt, while every view serves (ProjectionRunner::RebuildReports).

// A view could not be read (not: the key is absent).
class ViewReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ViewStore {
 public:
  // Opens the views in `dir`; drops them first if their version is not kViewsVersion (not when
  // only the report definition differs).
  static Result<std::unique_ptr<ViewStore>> Open(const std::string& dir);
  // Removes every view so the next Open starts empty (helpdeskd rebuild).
  static Status Destroy(const std::string& dir);
  ~ViewStore();

  // Thread-safe point read; nullopt when absent. A read that fails (I/O, corruption) throws
  // ViewReadError: "absent" would turn a broken disk into 404s; the API answers 500 and logs.
  std::optional<std::string> Get(const std::string& key) const;
  // The same, for a view stored as a JSON object; nullopt when absent or not an object.
  std::optional<nlohmann::json> GetObject(const std::string& key) const;
  // Thread-safe; the iterator sees a consistent snapshot.
  std::unique_ptr<rocksdb::Iterator> NewIterator() const;
  // The log position the views include.
  ConsistencyToken StoredOffset() const;
  // The report definition the stored report cells were counted with (0 when unknown).
  int StoredReportDefinition() const;
  // The key holding it: a rebuild of the reports writes it with the cells it replaces.
  static const char* ReportDefinitionKey();
  // Records that the report cells are being counted again (definition 0: no build's), durably,
  // before the runner stops counting into them: a start by any build then rebuilds them.
  Status MarkReportsRebuilding();
  // Commits a batch of view updates together with the offset they bring the views to.
  Status Commit(rocksdb::WriteBatch& batch, const ConsistencyToken& offset);
  // Every key and value, in order: for comparing views (tests, rebuild checks). After a rebuild
  // of the reports alone, conversations' states (their report definition) and rm/ keys differ
  // from a full replay's until each conversation's next event; the report cells do not.
  std::string DumpForComparison() const;
  // A consistent copy in `dir` (new), offset included, taken while the views serve.
  Status Checkpoint(const std::string& dir) const;

  rocksdb::DB* db() const { return db_.get(); }

 private:
  explicit ViewStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace helpdesk
