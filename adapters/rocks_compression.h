// How the node's RocksDB databases (event log, write-model store, views) compress.
#pragma once

namespace rocksdb {
struct Options;
}  // namespace rocksdb

namespace helpdesk {

// Levels 0 and 1 are written as they are; deeper levels with LZ4 (Snappy if this RocksDB lacks
// LZ4). Every write passes through the first levels, and compressing it there took more of an
// import's CPU than any single projector; the data that stays, compacted into the deeper
// levels, is compressed there.
void CompressColdLevelsOnly(rocksdb::Options& options);

}  // namespace helpdesk
