#include "api/contact_importer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <optional>

#include "adapters/random_ids.h"
#include "adapters/thread_name.h"
#include "domain/directory.h"

namespace helpdesk {
namespace {

// A refusal of the row itself (it is reported and skipped), rather than of the log or the node
// (the import stops: the rows not counted were not imported).
bool RowsFault(const Error& error) {
  switch (error.code) {
    case ErrorCode::kLogUnavailable:
    case ErrorCode::kNotCaughtUp:
    case ErrorCode::kInternal:
    case ErrorCode::kRateLimited:
      return false;
    default:
      return true;
  }
}

// The log refusing for a while (a broker restarting, partitions moving to another node): worth
// waiting out, unlike a refusal of the row or a fault of the node.
bool LogRefused(const Error& error) {
  return error.code == ErrorCode::kLogUnavailable || error.code == ErrorCode::kNotCaughtUp ||
         error.code == ErrorCode::kRateLimited;
}

// "field 'phone' must be …" → {phone, must be …}; other errors name the row.
ImportRowError RowError(size_t row, const Error& error) {
  static constexpr std::string_view kPrefix = "field '";
  const std::string& m = error.message;
  if (m.rfind(kPrefix, 0) == 0) {
    const size_t end = m.find("' ", kPrefix.size());
    if (end != std::string::npos) {
      return {row, m.substr(kPrefix.size(), end - kPrefix.size()), m.substr(end + 2)};
    }
  }
  return {row, "row", m};
}

}  // namespace

ContactImporter::ContactImporter(Commands& commands, const ViewQueries& queries,
                                 std::string node_id)
    : commands_(commands), queries_(queries), node_id_(std::move(node_id)), worker_([this] {
        NameThisThread("contact-import");
        Run();
      }) {}

ContactImporter::~ContactImporter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

Result<CommandOutcome> ContactImporter::Start(const Caller& caller, ImportJob job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() + running_ >= kMaxQueued) {
      return Error{ErrorCode::kRateLimited,
                   "this node runs " + std::to_string(kMaxQueued) +
                       " imports already: send the file again once one is done"};
    }
    ++running_;  // held for this one until it is queued or refused
  }
  const std::string id = NewId();
  {
    std::lock_guard<std::mutex> lock(mu_);
    mine_.insert(id);
  }
  cmd::RecordContactImport started;
  started.import_id = id;
  started.phase = "started";
  started.mode = job.mode;
  started.rows = job.table.rows.size();
  started.file_sha256 = job.file_sha256;
  started.node = node_id_;
  Result<CommandOutcome> recorded = commands_.Execute(caller, std::move(started));
  std::lock_guard<std::mutex> lock(mu_);
  --running_;
  if (!recorded.ok()) return recorded.error();
  queue_.push_back(Queued{id, caller, std::move(job)});
  wake_.notify_all();
  spdlog::info("contacts import {} queued: {} rows", id, queue_.back().job.table.rows.size());
  return recorded;
}

void ContactImporter::FailInterrupted(std::function<std::vector<nlohmann::json>()> running) {
  std::lock_guard<std::mutex> lock(mu_);
  find_interrupted_ = std::move(running);
  wake_.notify_all();
}

bool ContactImporter::Stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

void ContactImporter::MarkInterrupted(const std::vector<nlohmann::json>& imports) {
  for (const nlohmann::json& running : imports) {
    const std::string id = running.value("id", "");
    // Another node's (or, on a cluster, one that names no node): it may be running there.
    if (running.value("node", "") != node_id_) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (mine_.count(id)) continue;
    }
    cmd::RecordContactImport failed;
    failed.import_id = id;
    failed.rows_done = running.value("rows_done", uint64_t{0});
    failed.created = running.value("created", uint64_t{0});
    failed.updated = running.value("updated", uint64_t{0});
    failed.unchanged = running.value("unchanged", uint64_t{0});
    failed.skipped = running.value("skipped", uint64_t{0});
    failed.phase = "failed";
    failed.reason =
        "interrupted: the server stopped during the import. The rows counted were imported; "
        "send the file again to import the others (rows already imported are found, not "
        "duplicated)";
    // On Kafka a node that just started may not own the import's partition yet (the group is
    // still moving partitions): the log refuses for a while.
    Result<CommandOutcome> recorded = ExecuteWhileRefused(Caller::System(), failed);
    if (!recorded.ok()) {
      spdlog::error("cannot mark import {} interrupted: {}", id, recorded.error().message);
    } else {
      spdlog::info("contacts import {} marked interrupted", id);
    }
  }
}

bool ContactImporter::PauseAgain(RefusalWait& wait) {
  if (std::chrono::steady_clock::now() + wait.pause > wait.give_up_at) return false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (wake_.wait_for(lock, wait.pause, [&] { return stopping_; })) return false;
  }
  wait.pause = std::min(wait.pause * 2, kLongestPause);
  return true;
}

Result<CommandOutcome> ContactImporter::ExecuteWhileRefused(const Caller& caller,
                                                            const Command& command) {
  RefusalWait wait;
  for (;;) {
    Result<CommandOutcome> outcome = commands_.Execute(caller, command);
    if (outcome.ok() || !LogRefused(outcome.error()) || !PauseAgain(wait)) return outcome;
  }
}

void ContactImporter::Run() {
  for (;;) {
    Queued next;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || find_interrupted_; });
      if (find_interrupted_ && !stopping_) {
        auto find = std::move(find_interrupted_);
        find_interrupted_ = nullptr;
        lock.unlock();
        MarkInterrupted(find());
        continue;
      }
      if (queue_.empty()) return;  // stopping, nothing left
      next = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    Import(next);
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
  }
}

std::map<std::string, std::string> ContactImporter::OwnersByEmail() const {
  std::map<std::string, std::string> owners;
  std::optional<std::string> cursor;
  do {
    Result<Page> page = queries_.Users(std::nullopt, cursor, 200);
    if (!page.ok()) break;
    const nlohmann::json items = nlohmann::json::parse(page.value().items_json, nullptr, false);
    if (!items.is_array()) break;
    for (const nlohmann::json& user : items) {
      const std::string email = NormalizeEmail(user.value("email", ""));
      if (!email.empty()) owners[email] = user.value("id", "");
    }
    cursor = page.value().next_cursor;
  } while (cursor);
  return owners;
}

bool ContactImporter::Record(const Queued& queued, cmd::RecordContactImport& report,
                             const std::string& phase, const std::string& reason) {
  std::sort(report.errors.begin(), report.errors.end(),
            [](const ImportRowError& a, const ImportRowError& b) { return a.row < b.row; });
  cmd::RecordContactImport command = report;
  command.import_id = queued.id;
  command.phase = phase;
  command.reason = reason;
  Result<CommandOutcome> recorded = ExecuteWhileRefused(queued.caller, std::move(command));
  if (!recorded.ok()) {
    spdlog::error("contacts import {}: cannot record its {}: {}", queued.id, phase,
                  recorded.error().message);
    return false;
  }
  report.errors.clear();
  return true;
}

Result<std::optional<cmd::ImportContactRow>> ContactImporter::ReadRow(
    const Queued& queued, const std::map<std::string, std::string>& owners, size_t i) const {
  const ImportJob& job = queued.job;
  const size_t row = i + 1;
  Result<ImportRow> read = ReadImportRow(job.columns, job.defined, job.table.rows[i], row);
  if (!read.ok()) return read.error();
  ImportRow& r = read.value();
  if (r.blank) return std::optional<cmd::ImportContactRow>();
  cmd::ImportContactRow c;
  c.import_id = queued.id;
  c.mode = job.mode;
  c.id = r.id.value_or("");
  if (c.id.empty() && NormalizePhone(r.phone).empty() && NormalizeEmail(r.email).empty()) {
    c.id = ImportedContactId(job.file_sha256, row);
  }
  c.row = row;
  c.name = std::move(r.name);
  c.phone = std::move(r.phone);
  c.email = std::move(r.email);
  if (r.owner) {
    auto by_email = owners.find(NormalizeEmail(*r.owner));
    c.owner_id = by_email != owners.end() ? by_email->second : *r.owner;
  }
  c.tags = std::move(r.tags);
  c.stage = std::move(r.stage);
  c.attributes = std::move(r.attributes);
  return std::optional<cmd::ImportContactRow>(std::move(c));
}

ContactImporter::Batch ContactImporter::ReadBatch(const Queued& queued,
                                                  const std::map<std::string, std::string>& owners,
                                                  size_t start, size_t end) const {
  Batch batch;
  batch.end = end;
  for (size_t i = start; i < end; ++i) {
    const size_t row = i + 1;
    Result<std::optional<cmd::ImportContactRow>> read = ReadRow(queued, owners, i);
    if (!read.ok()) {
      batch.tally.errors.push_back(RowError(row, read.error()));
      ++batch.tally.skipped;
      continue;
    }
    if (!read.value()) {
      ++batch.tally.skipped;  // blank
      continue;
    }
    batch.commands.push_back(std::move(*read.value()));
    batch.row_of.push_back(row);
  }
  return batch;
}

bool ContactImporter::Settle(const Queued& queued, const std::map<std::string, std::string>& owners,
                             Batch& batch, cmd::RecordContactImport& report) {
  cmd::RecordContactImport& tally = batch.tally;
  // The rows of the batch still to decide: all of them (submitted already), then, after the log
  // refused some, those, again, until it takes them or kLogWait runs out (the rows the log took
  // are counted once, from their first answer).
  std::vector<size_t> pending(batch.row_of.size());
  std::iota(pending.begin(), pending.end(), size_t{0});
  std::vector<Result<CommandOutcome>> outcomes = batch.submitted->Wait();
  RefusalWait wait;
  for (;;) {
    std::vector<size_t> refused;
    std::optional<Error> refusal;  // the first refusal not worth waiting out, else the last
    bool wait_out = true;
    for (size_t j = 0; j < outcomes.size(); ++j) {
      const size_t k = pending[j];
      const Result<CommandOutcome>& outcome = outcomes[j];
      if (!outcome.ok()) {
        if (!RowsFault(outcome.error())) {
          refused.push_back(k);
          if (wait_out) refusal = outcome.error();
          wait_out = wait_out && LogRefused(outcome.error());
          continue;
        }
        tally.errors.push_back(RowError(batch.row_of[k], outcome.error()));
        ++tally.skipped;
      } else if (outcome.value().created) {
        // Also a row tried again whose earlier try made the contact, the log's answer lost:
        // the contact names this import and row (ImportContactRow).
        ++tally.created;
      } else if (outcome.value().duplicate) {
        ++(queued.job.mode == "create_only" ? tally.skipped : tally.unchanged);
      } else {
        ++tally.updated;
      }
    }
    if (refused.empty()) break;
    if (!wait_out || !PauseAgain(wait)) {
      // Rows the log took may be durable, but the batch is not counted (its tallies are
      // dropped): a resend finds them.
      Record(queued, report, "failed",
             "the event log refused writes (" + refusal->message +
                 "). The rows counted were imported; send the file again to import the others");
      return false;
    }
    spdlog::warn("contacts import {}: the log refused {} rows ({}); trying them again", queued.id,
                 refused.size(), refusal->message);
    pending = std::move(refused);
    // The batch's commands went to the log: each is read from its row again, as it was (the
    // file and the owners do not change, so a row that made a command makes the same one).
    std::vector<Command> sending;
    for (size_t k : pending) {
      Result<std::optional<cmd::ImportContactRow>> again =
          ReadRow(queued, owners, batch.row_of[k] - 1);
      if (!again.ok() || !again.value()) {
        Record(queued, report, "failed",
               "row " + std::to_string(batch.row_of[k]) + " read differently when sent again");
        return false;
      }
      sending.push_back(std::move(*again.value()));
    }
    outcomes = commands_.ExecuteAll(queued.caller, std::move(sending));
  }
  report.created += tally.created;
  report.updated += tally.updated;
  report.unchanged += tally.unchanged;
  report.skipped += tally.skipped;
  report.errors.insert(report.errors.end(), std::make_move_iterator(tally.errors.begin()),
                       std::make_move_iterator(tally.errors.end()));
  report.rows_done = batch.end;
  return true;
}

void ContactImporter::Import(const Queued& queued) {
  const std::vector<std::vector<std::string>>& rows = queued.job.table.rows;
  const std::map<std::string, std::string> owners = OwnersByEmail();
  spdlog::info("contacts import {} started: {} rows", queued.id, rows.size());

  cmd::RecordContactImport report;
  size_t reported_at = 0;
  auto reported_when = std::chrono::steady_clock::now();
  // Batches on their way to the log while the next is read and decided: the log makes them
  // durable as the next is decided. A batch's counts join the import's only once every row of
  // it is decided and durable, so a count never names a row the log does not hold.
  std::deque<Batch> in_flight;
  const auto settle_oldest = [&] {
    Batch batch = std::move(in_flight.front());
    in_flight.pop_front();
    if (!Settle(queued, owners, batch, report)) return false;
    const auto now = std::chrono::steady_clock::now();
    if (batch.end - reported_at >= kProgressRows && batch.end < rows.size() &&
        (now - reported_when >= kProgressInterval || report.errors.size() >= kProgressRows)) {
      if (!Record(queued, report, "progress", "")) return false;
      reported_at = batch.end;
      reported_when = now;
    }
    return true;
  };
  const auto settle_all = [&] {
    while (!in_flight.empty()) {
      if (!settle_oldest()) return false;
    }
    return true;
  };
  for (size_t start = 0; start < rows.size(); start += kBatchRows) {
    if (Stopping()) {
      if (!settle_all()) return;
      Record(queued, report, "failed",
             "the server stopped during the import. The rows counted were imported; send the "
             "file again to import the others");
      return;
    }
    Batch batch = ReadBatch(queued, owners, start, std::min(rows.size(), start + kBatchRows));
    batch.submitted = commands_.Submit(queued.caller, std::move(batch.commands));
    in_flight.push_back(std::move(batch));
    while (in_flight.size() > kBatchesAhead) {
      if (!settle_oldest()) return;
    }
  }
  if (!settle_all()) return;
  Record(queued, report, "done", "");
  spdlog::info("contacts import {} done: {} created, {} updated, {} unchanged, {} skipped",
               queued.id, report.created, report.updated, report.unchanged, report.skipped);
}

}  // namespace helpdesk
