// Attachments and audio: the rules for files agents and customers send with a message. The bytes
// live in the attachment store (adapters/attachment_store.h), named by their SHA-256; a message
// event records a reference {sha256, name, content_type, size, kind}, never the bytes.
#pragma once

#include <cstdint>
#include <string>

#include "domain/result.h"

namespace helpdesk {

// Largest file accepted (413 too_large above): WhatsApp's own limit for documents is larger,
// but 20 MB covers photos, voice notes and PDFs without letting one request pin the memory.
inline constexpr uint64_t kMaxAttachmentBytes = 20ull * 1024 * 1024;
// Most attachments one message references.
inline constexpr size_t kMaxAttachmentsPerMessage = 10;

// "image", "audio", "video" or "file", from a MIME type ("audio/ogg; codecs=opus" -> "audio").
std::string AttachmentKind(const std::string& content_type);

// 64 lower-case hex digits.
bool IsSha256Hex(const std::string& text);

// A file name a person gave: 1 to 255 bytes, no path separators, no control characters.
Status CheckAttachmentName(const std::string& name, const std::string& field = "name");

// A MIME type "type/subtype" with optional parameters, at most 255 bytes.
Status CheckContentType(const std::string& content_type);

}  // namespace helpdesk
