#include "projections/cursor.h"

namespace helpdesk {

std::string EncodeCursor(const std::string& raw) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

std::optional<std::string> DecodeCursor(const std::string& cursor) {
  if (cursor.size() % 2 != 0 || cursor.size() > 1024) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < cursor.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = nibble(cursor[i]), lo = nibble(cursor[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace helpdesk
