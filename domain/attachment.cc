#include "domain/attachment.h"

#include <cctype>
#include <cstdint>

#include "domain/text.h"

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
