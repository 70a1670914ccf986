#include "adapters/rocks_checkpoint.h"

#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>

#include <filesystem>
#include <memory>
#include <system_error>

#include "adapters/rocks_status.h"

namespace helpdesk {

Status CheckpointRocksDb(rocksdb::DB& db, const std::string& out_dir) {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(&db, &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: always flush first, so the copy holds no write-ahead log to replay.
  if (s.ok()) s = checkpoint->CreateCheckpoint(out_dir, /*log_size_for_flush=*/0);
  if (!s.ok()) return FromRocks(s, "checkpoint");
  return Status::Ok();
}

Status LinkOrCopyTree(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(to, ec)) return Error{ErrorCode::kConflict, to + " exists already"};
  fs::create_directories(to, ec);
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const fs::path target = fs::path(to) / fs::relative(it->path(), from, ec);
    if (ec) break;
    if (it->is_directory(ec)) {
      fs::create_directories(target, ec);
    } else if (it->is_regular_file(ec)) {
      fs::create_hard_link(it->path(), target, ec);
      if (ec) {
        ec.clear();
        fs::copy_file(it->path(), target, ec);
      }
    }
  }
  if (ec) return Error{ErrorCode::kInternal, "copying " + from + " to " + to + ": " + ec.message()};
  return Status::Ok();
}

}  // namespace helpdesk
