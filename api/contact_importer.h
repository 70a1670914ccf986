// ContactImporter: runs contacts imports (POST /api/v1/contacts/import) in the background.
//
// The request parses and checks the whole file first (domain/contact_import.h) and answers 202
// once ContactImportStarted is durable. A thread of the importer then sends the rows as
// ImportContactRow commands in batches (Commands::Submit: one commit per batch on one node,
// the next batch decided while the log makes one durable) and, after each batch is durable,
// records the counts and the rows' errors
// (ContactImportProgressed): a count never names a row whose events are not in the log. The end
// is ContactImportFinished ("done", or "failed" with the reason).
//
// When the log refuses writes for a while (a broker restarting, partitions moving between the
// nodes of a cluster), the rows it refused are sent again, with pauses, for up to kLogWait; the
// rows it took are counted once. A row whose earlier try was written but not acknowledged is
// found again: one that made a contact counts as created (the contact's ContactCreated names
// the import and the row), one that changed an existing contact counts as unchanged.
//
// A row finds its contact by phone, then e-mail, then (for a row with neither) the id the file
// and row number give (ImportedContactId), so sending the same file again creates nothing, and
// neither does resending a file whose import a stopped server cut short. At startup a node that
// is the log's only writer marks imports it finds running as failed ("interrupted"): their file
// is not kept. On a cluster each import names the node that runs it (ContactImportStarted's
// `node`), and a node restarted on the same data marks only its own imports interrupted: the
// others may be running on their nodes.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "commands/commands.h"
#include "domain/contact_import.h"
#include "projections/view_queries.h"

namespace helpdesk {

// One parsed file, ready to import.
struct ImportJob {
  std::string mode;         // "upsert" | "create_only"
  std::string file_sha256;  // hex
  ImportColumns columns;
  std::map<std::string, AttributeDefinition> defined;
  CsvTable table;
};

class ContactImporter {
 public:
  // Rows decided per batch, and how often progress is recorded at most: after kProgressRows
  // rows and kProgressInterval since the last record, or sooner once kProgressRows row errors
  // wait (a record's errors stay bounded). Each record waits for the log: every 2,000 rows,
  // those waits were a tenth of a 100,000-row import's time.
  static constexpr size_t kBatchRows = 500;
  static constexpr size_t kProgressRows = 2000;
  static constexpr std::chrono::milliseconds kProgressInterval{250};
  // Batches submitted and not yet settled while the next is decided.
  static constexpr size_t kBatchesAhead = 2;
  // Imports waiting or running on this node at once; more are refused (429).
  static constexpr size_t kMaxQueued = 4;
  // How long a batch, or a record of the import, waits for a log that refuses writes (a broker
  // restarting, partitions moving between nodes) before the import fails; the pauses between
  // tries double from the first to the longest.
  static constexpr std::chrono::milliseconds kLogWait{120'000};
  static constexpr std::chrono::milliseconds kFirstPause{250};
  static constexpr std::chrono::milliseconds kLongestPause{4'000};

  // `node_id`: this node's id on a cluster; empty for a node alone on its log.
  ContactImporter(Commands& commands, const ViewQueries& queries, std::string node_id = "");
  // Stops at the end of the batch being decided and records the import as failed ("the server
  // stopped"); queued ones likewise.
  ~ContactImporter();
  ContactImporter(const ContactImporter&) = delete;
  ContactImporter& operator=(const ContactImporter&) = delete;

  // Records the import's start for `caller` (durable when this returns) and queues it: the
  // outcome names the import (`id`) and where its start is in the log.
  // 429 rate_limited while kMaxQueued imports wait or run.
  Result<CommandOutcome> Start(const Caller& caller, ImportJob job);

  // Before its first import, the importer's thread marks the imports `running()` finds (their
  // resources, as the views show them once caught up) failed as interrupted, keeping the counts
  // their last progress recorded; imports this process started are left alone, and so, on a
  // cluster, are those another node runs. Once at startup.
  void FailInterrupted(std::function<std::vector<nlohmann::json>()> running);
  // Whether the importer is being destroyed (a long wait in `running` gives up then).
  bool Stopping() const;

 private:
  struct Queued {
    std::string id;
    Caller caller;
    ImportJob job;
  };
  void Run();
  void MarkInterrupted(const std::vector<nlohmann::json>& imports);
  // Rows [start, end) of an import: the commands of its rows (moved to the log when
  // submitted), and the rows refused in reading.
  struct Batch {
    size_t end = 0;
    cmd::RecordContactImport tally;  // counts and errors of this batch alone
    std::vector<Command> commands;
    std::vector<size_t> row_of;  // each command's row (1-based)
    std::unique_ptr<SubmittedBatch> submitted;
  };
  void Import(const Queued& queued);
  // The command of row index `i` (0-based); none for a blank row; the row's error if it is
  // refused in reading. The same every time it is read.
  Result<std::optional<cmd::ImportContactRow>> ReadRow(
      const Queued& queued, const std::map<std::string, std::string>& owners, size_t i) const;
  Batch ReadBatch(const Queued& queued, const std::map<std::string, std::string>& owners,
                  size_t start, size_t end) const;
  // Waits for `batch`'s answers (sending the rows the log refused again, read from the file
  // again, as long as worth it) and adds its counts to `report`; false when the import failed
  // (recorded so).
  bool Settle(const Queued& queued, const std::map<std::string, std::string>& owners, Batch& batch,
              cmd::RecordContactImport& report);
  // Records `report` (its counts, its errors not recorded yet) in `phase`; false when the log
  // refused.
  bool Record(const Queued& queued, cmd::RecordContactImport& report, const std::string& phase,
              const std::string& reason);
  // One wait for a log that refuses writes: pauses from kFirstPause doubling to kLongestPause,
  // for kLogWait at most.
  struct RefusalWait {
    std::chrono::steady_clock::time_point give_up_at = std::chrono::steady_clock::now() + kLogWait;
    std::chrono::milliseconds pause = kFirstPause;
  };
  // Pauses once more in `wait`; false, without waiting out the pause, when kLogWait would pass
  // or the importer is stopping.
  bool PauseAgain(RefusalWait& wait);
  // Runs `command`, again while the log refuses it (kLogWait at most, not past a stop).
  Result<CommandOutcome> ExecuteWhileRefused(const Caller& caller, const Command& command);
  // Owners named by e-mail in the file, resolved to user ids.
  std::map<std::string, std::string> OwnersByEmail() const;

  Commands& commands_;
  const ViewQueries& queries_;
  const std::string node_id_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Queued> queue_;
  std::function<std::vector<nlohmann::json>()> find_interrupted_;  // run once, then cleared
  std::set<std::string> mine_;                                     // imports this process started
  size_t running_ = 0;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace helpdesk
