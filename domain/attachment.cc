#include "domain/attachment.h"

#include <cctype>
#include <cstdint>

namespace helpdesk {

std::string AttachmentKind(const std::string& content_type) {
  std::string type;
  for (char c : content_type) {
    if (c == '/' || c == ';') break;
    type += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (type == "image" || type == "audio" || type == "video") return type;
  return "file";
}

bool IsSha256Hex(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

namespace {

// Whether `s` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool IsUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;  // cut short
    for (size_t k = 1; k <= extra; ++k) {
      const unsigned char n = static_cast<unsigned char>(s[i + k]);
      if ((n & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (n & 0x3F);
    }
    const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace

Status CheckAttachmentName(const std::string& name, const std::string& field) {
  if (name.empty() || name.size() > 255) {
    return InvalidField(field, "must be 1 to 255 bytes");
  }
  if (!IsUtf8(name)) return InvalidField(field, "must be UTF-8");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') {
      return InvalidField(field, "must not contain path separators or control characters");
    }
  }
  if (name == "." || name == "..") return InvalidField(field, "must be a file name");
  return Status::Ok();
}

Status CheckContentType(const std::string& content_type) {
  const size_t slash = content_type.find('/');
  if (content_type.size() > 255 || slash == std::string::npos || slash == 0 ||
      slash + 1 == content_type.size() || content_type[slash + 1] == ';') {
    return InvalidField("Content-Type", "must be a MIME type such as image/png");
  }
  for (unsigned char c : content_type) {
    if (c < 0x20 || c >= 0x7f) {
      return InvalidField("Content-Type", "must be printable ASCII");
    }
  }
  return Status::Ok();
}

}  // namespace helpdesk
