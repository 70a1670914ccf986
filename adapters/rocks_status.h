// RocksDB helpers shared by the embedded log and the view store.
#pragma once

#include <rocksdb/status.h>

#include <cstdint>
#include <string>

#include "domain/result.h"

namespace helpdesk {

// A RocksDB failure as one of ours: the store is unavailable for writes.
Error FromRocks(const rocksdb::Status& s, const char* what);

// Big-endian fixed 8 bytes, so keys sort in numeric order.
std::string EncodeBigEndian64(uint64_t v);
uint64_t DecodeBigEndian64(const char* p);

}  // namespace helpdesk
