#include "adapters/rocks_status.h"

namespace helpdesk {

Error FromRocks(const rocksdb::Status& s, const char* what) {
  return Error{ErrorCode::kLogUnavailable, std::string(what) + ": " + s.ToString()};
}

std::string EncodeBigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

uint64_t DecodeBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace helpdesk
