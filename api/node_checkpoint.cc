// Node::Checkpoint and BootstrapNodeData: a consistent copy of a serving node's stores, and a
// new node's data folder started from one (docs/operations.md, "Checkpoints").
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "adapters/contact_keys.h"
#include "adapters/embedded_log.h"
#include "adapters/random_ids.h"
#include "adapters/rocks_checkpoint.h"
#include "adapters/rocks_state_store.h"
#include "api/node.h"
#include "domain/time.h"

namespace helpdesk {
namespace {

namespace fs = std::filesystem;

// The parts of a data folder a checkpoint holds, in the order they are taken. Whatever a later
// part refers to is in an earlier part or older: views and the write model's store first (each
// with the offset it reached), then the log (on one machine), which holds at least every event
// they include, then the contacts' keys, made before the events that use them are appended.
constexpr const char* kViews = "views";
constexpr const char* kState = "state";
constexpr const char* kLog = "log";
constexpr const char* kKeys = "keys";
constexpr const char* kAttachments = "attachments";
constexpr const char* kSecretsKey = "secrets.key";

// "20261205T040102Z-3f9a1c": sorts by time, unique among checkpoints taken the same second.
std::string CheckpointName(Timestamp now) {
  std::string at = FormatRfc3339(Timestamp{now.ms - now.ms % 1000});  // 2026-12-05T04:01:02Z
  std::string compact;
  for (char c : at) {
    if (c != '-' && c != ':' && c != '.') compact += c;
  }
  const std::string id = NewId();
  return compact + "-" + id.substr(id.size() - 6);
}

}  // namespace

Result<nlohmann::json> Node::Checkpoint() {
  const std::string name = CheckpointName(clock_.Now());
  const fs::path dir = fs::path(data_dir_) / "checkpoints" / name;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error{ErrorCode::kInternal, "cannot create " + dir.string() + ": " + ec.message()};
  auto fail = [&](const Error& error) {
    spdlog::error("checkpoint {} failed: {}", name, error.message);
    fs::remove_all(dir, ec);
    return error;
  };
  nlohmann::json answer{{"name", name}, {"path", (fs::path("checkpoints") / name).string()}};

  answer["views"] = views_->StoredOffset().ToString();
  if (Status s = views_->Checkpoint((dir / kViews).string()); !s.ok()) return fail(s.error());
  auto* state = dynamic_cast<const RocksStateStore*>(state_.get());
  if (!state) return fail(Error{ErrorCode::kInternal, "the write model's store is not on disk"});
  answer["state"] = state->Offset().ToString();
  if (Status s = state->Checkpoint((dir / kState).string()); !s.ok()) return fail(s.error());
  if (auto* log = dynamic_cast<const EmbeddedLog*>(log_.get())) {
    answer["log"] = log->Head().ToString();
    if (Status s = log->Checkpoint((dir / kLog).string()); !s.ok()) return fail(s.error());
  }
  if (keys_) {
    if (Status s = keys_->Checkpoint((dir / kKeys).string()); !s.ok()) return fail(s.error());
  }
  // On one machine the secrets key made at the first start and the attachments' files go too:
  // the checkpoint is then a whole backup. (A cluster's key and shared attachments live apart.)
  const fs::path data(data_dir_);
  if (fs::exists(data / kSecretsKey, ec)) {
    fs::copy_file(data / kSecretsKey, dir / kSecretsKey, ec);
    if (ec) return fail(Error{ErrorCode::kInternal, "copying the secrets key: " + ec.message()});
  }
  if (attachments_in_data_ && fs::exists(data / kAttachments, ec)) {
    Status s = LinkOrCopyTree((data / kAttachments).string(), (dir / kAttachments).string());
    if (!s.ok()) return fail(s.error());
  }
  spdlog::info("checkpoint {} taken (views at {})", name, answer["views"].get<std::string>());
  return answer;
}

Status BootstrapNodeData(const std::string& snapshot, const std::string& data_dir, bool kafka) {
  const fs::path from(snapshot), to(data_dir);
  // Present while a bootstrap copies: a start that finds it finishes the copy again.
  const fs::path marker = to / "bootstrapping";
  std::error_code ec;
  const bool resuming = fs::exists(marker, ec);
  if (!resuming && fs::exists(to / kViews, ec)) {
    spdlog::info("{} holds views already: --bootstrap-from {} is not needed again", data_dir,
                 snapshot);
    return Status::Ok();
  }
  if (!resuming && (fs::exists(to / kState, ec) || fs::exists(to / kLog, ec))) {
    return Error{ErrorCode::kInvalidField,
                 "--bootstrap-from needs a --data folder without a log or a write model store"};
  }
  if (!fs::is_directory(from / kViews, ec) || !fs::is_directory(from / kState, ec)) {
    return Error{ErrorCode::kInvalidField,
                 "--bootstrap-from " + snapshot + " is not a checkpoint (no views/ and state/)"};
  }
  if (!kafka && !fs::is_directory(from / kLog, ec)) {
    return Error{ErrorCode::kInvalidField,
                 "--bootstrap-from " + snapshot +
                     " holds no log: it is a cluster node's checkpoint, which needs --kafka"};
  }
  fs::create_directories(to, ec);
  if (!std::ofstream(marker)) {
    return Error{ErrorCode::kInternal, "cannot write in " + data_dir};
  }
  // A cluster node's keys come too: they carry where its key share was read up to.
  std::vector<const char*> parts = {kViews, kState, kKeys};
  if (!kafka) parts.insert(parts.end(), {kLog, kAttachments, kSecretsKey});
  for (const char* part : parts) {
    if (!fs::exists(from / part, ec)) continue;
    fs::remove_all(to / part, ec);  // what an interrupted bootstrap left
    if (fs::is_directory(from / part, ec)) {
      Status s = LinkOrCopyTree((from / part).string(), (to / part).string());
      if (!s.ok()) return s;
    } else if (fs::copy_file(from / part, to / part, ec); ec) {
      return Error{ErrorCode::kInternal, "copying " + (from / part).string() + ": " + ec.message()};
    }
  }
  fs::remove(marker, ec);
  if (ec) return Error{ErrorCode::kInternal, "cannot finish the bootstrap in " + data_dir};
  spdlog::info("bootstrapped {} from checkpoint {}", data_dir, snapshot);
  return Status::Ok();
}

}  // namespace helpdesk
