#include "adapters/rocks_compression.h"

#include <rocksdb/convenience.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <vector>

namespace helpdesk {

void CompressColdLevelsOnly(rocksdb::Options& options) {
  const std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  const bool lz4 =
      std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end();
  const rocksdb::CompressionType cold =
      lz4 ? rocksdb::kLZ4Compression : rocksdb::kSnappyCompression;
  options.compression_per_level.assign(options.num_levels, cold);
  for (int level = 0; level < 2 && level < options.num_levels; ++level) {
    options.compression_per_level[level] = rocksdb::kNoCompression;
  }
}

}  // namespace helpdesk
