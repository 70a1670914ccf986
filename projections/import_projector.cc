#include "projections/import_projector.h"

#include "domain/events.h"
#include "domain/json_text.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

void PutCounts(json& resource, const events::ImportCounts& c) {
  resource["rows_done"] = c.rows_done;
  resource["created"] = c.created;
  resource["updated"] = c.updated;
  resource["unchanged"] = c.unchanged;
  resource["skipped"] = c.skipped;
}

// A report's errors are those of the rows after the previous report's, so a report whose
// rows_done does not pass the resource's adds none: it is the same report again (the importer
// records again when the log's answer to a record was lost).
void AddErrors(json& resource, const events::ImportCounts& counts, const json& errors) {
  if (counts.rows_done <= resource.value("rows_done", uint64_t{0})) return;
  json& kept = resource["errors"];
  if (!kept.is_array()) kept = json::array();
  uint64_t omitted = resource.value("errors_omitted", uint64_t{0});
  for (const json& error : errors) {
    if (kept.size() < ImportProjector::kMaxErrors) {
      kept.push_back(error);
    } else {
      ++omitted;
    }
  }
  resource["errors_omitted"] = omitted;
}

}  // namespace

void ImportProjector::Apply(const RecordedEvent& r, ViewTxn& txn) const {
  const NewEvent& e = r.event;
  const std::optional<events::Event> event = events::Decode(e);
  if (!event) return;
  const std::string id = e.stream.substr(e.stream.find('/') + 1);
  const std::string key = view_keys::kContactImport + id;
  json resource = LoadJson(txn, key);
  if (!resource.is_object()) {
    resource = json{{"id", id},
                    {"status", "running"},
                    {"mode", ""},
                    {"rows", 0},
                    {"by", e.actor.id},
                    {"started_at", FormatRfc3339(e.at)},
                    {"finished_at", nullptr},
                    {"reason", nullptr},
                    {"errors", json::array()},
                    {"errors_omitted", 0}};
    PutCounts(resource, {});
  }
  std::visit(events::Overloaded{
                 [&](const events::ContactImportStarted& s) {
                   resource["mode"] = s.mode;
                   resource["rows"] = s.rows;
                   resource["file_sha256"] = s.file_sha256;
                   if (!s.node.empty()) resource["node"] = s.node;
                 },
                 [&](const events::ContactImportProgressed& p) {
                   AddErrors(resource, p.counts, p.errors);
                   PutCounts(resource, p.counts);
                 },
                 [&](const events::ContactImportFinished& f) {
                   AddErrors(resource, f.counts, f.errors);
                   PutCounts(resource, f.counts);
                   resource["status"] = f.status;
                   resource["finished_at"] = FormatRfc3339(e.at);
                   if (!f.reason.empty()) resource["reason"] = f.reason;
                 },
                 [](const auto&) {},
             },
             *event);
  resource["updated_at"] = FormatRfc3339(e.at);
  txn.Put(key, DumpJson(resource));
}

}  // namespace helpdesk
