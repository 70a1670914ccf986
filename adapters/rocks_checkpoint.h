// Checkpoints of the node's RocksDB stores, and folders copied back from them. A checkpoint is
// a consistent copy of a store taken while it serves: its memtables are flushed, then its files
// are hard-linked (copied across file systems) into a new folder, which RocksDB opens like the
// original (rocksdb::Checkpoint).
#pragma once

#include <string>

#include "domain/result.h"

namespace rocksdb {
class DB;
}

namespace helpdesk {

// A checkpoint of `db` in `out_dir`, which must not exist yet.
Status CheckpointRocksDb(rocksdb::DB& db, const std::string& out_dir);

// Copies folder `from` to `to` (which must not exist) whole, hard-linking files where the file
// system allows and copying them otherwise. For immutable files only: a checkpoint's, or
// content-addressed attachments.
Status LinkOrCopyTree(const std::string& from, const std::string& to);

}  // namespace helpdesk
