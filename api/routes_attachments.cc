// Attachments: POST /api/v1/attachments (the raw bytes, up to 20 MB) and
// GET /api/v1/attachments/{sha256}; messages reference them by sha256.
#include <nlohmann/json.hpp>

#include "api/app.h"
#include "api/json_io.h"
#include "domain/attachment.h"

namespace helpdesk {
namespace {

using nlohmann::json;

json Reference(const AttachmentInfo& info, const std::string& name) {
  return json{{"sha256", info.sha256},
              {"name", name},
              {"content_type", info.content_type},
              {"size", info.size},
              {"kind", AttachmentKind(info.content_type)}};
}

// RFC 6266 / 5987: a plain ASCII fallback and the exact UTF-8 name, percent-encoded.
std::string ContentDisposition(const std::string& name) {
  std::string ascii, encoded;
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-' || c == '_';
    ascii += (c < 0x80 && c != '"' && c != '\\' && c >= 0x20) ? static_cast<char>(c) : '_';
    if (plain) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace

std::optional<HttpResponse> App::RouteAttachments(const HttpRequest& r, const Caller& caller) {
  const auto& p = r.path;
  if (p.size() < 3 || p[2] != "attachments" || p.size() > 4) return std::nullopt;
  if (p.size() == 3 && r.method == "POST") {
    // Agents send files; a channel uploads its customers' media before posting the message.
    if (caller.channel_id.empty() && !CanWorkConversations(caller.role)) {
      return ErrorResponse(Forbidden("this role cannot upload attachments"));
    }
    if (r.body.empty()) return ErrorResponse(InvalidField("body", "must hold the file's bytes"));
    const std::string content_type = r.Header("content-type");
    if (Status s = CheckContentType(content_type); !s.ok()) return ErrorResponse(s.error());
    const std::string name = QueryParam(r, "name").value_or("attachment");
    if (Status s = CheckAttachmentName(name); !s.ok()) return ErrorResponse(s.error());
    auto stored = attachments_.Put(r.body, content_type, name);
    if (!stored.ok()) return ErrorResponse(stored.error());
    // 201 whether or not these bytes were stored before: an upload must not tell whether
    // someone else ever sent the same file.
    HttpResponse response = JsonResponse(201, Reference(stored.value(), name));
    response.headers["Location"] = "/api/v1/attachments/" + stored.value().sha256;
    return response;
  }
  if (p.size() == 4 && r.method == "GET") {
    if (caller.channel_id.empty() && !CanReadConversations(caller.role)) {
      return ErrorResponse(Forbidden("this role cannot read attachments"));
    }
    auto info = attachments_.Info(p[3]);
    if (!info.ok()) return ErrorResponse(info.error());
    if (QueryParam(r, "meta")) {
      return JsonResponse(200, Reference(info.value(), info.value().name));
    }
    auto bytes = attachments_.Read(p[3]);
    if (!bytes.ok()) return ErrorResponse(bytes.error());
    HttpResponse response;
    response.status = 200;
    response.content_type = info.value().content_type;
    response.body = std::move(bytes).value();
    response.headers["Content-Disposition"] = ContentDisposition(info.value().name);
    response.headers["ETag"] = "\"" + info.value().sha256 + "\"";
    // The address names the content: it can never change.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable";
    response.headers["X-Content-Type-Options"] = "nosniff";
    return response;
  }
  return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
}

Result<nlohmann::json> App::ResolveAttachments(const nlohmann::json& items,
                                               bool keep_foreign) const {
  if (!items.is_array()) return InvalidField("attachments", "must be an array");
  if (items.size() > kMaxAttachmentsPerMessage) {
    return InvalidField(
        "attachments", "must hold at most " + std::to_string(kMaxAttachmentsPerMessage) + " items");
  }
  json out = json::array();
  for (size_t i = 0; i < items.size(); ++i) {
    const json& item = items[i];
    const std::string field = "attachments[" + std::to_string(i) + "]";
    std::string sha, name;
    const bool reference = (item.is_string() && IsSha256Hex(item.get<std::string>())) ||
                           (item.is_object() && item.contains("sha256"));
    if (keep_foreign && !reference) {
      out.push_back(item);  // a channel's own reference (a link, a media id): kept as sent
      continue;
    }
    if (item.is_string()) {
      sha = item.get<std::string>();
    } else if (item.is_object() && item.contains("sha256")) {
      if (!item["sha256"].is_string()) return InvalidField(field + ".sha256", "must be a string");
      sha = item["sha256"].get<std::string>();
      if (item.contains("name")) {
        if (!item["name"].is_string()) return InvalidField(field + ".name", "must be a string");
        name = item["name"].get<std::string>();
        if (Status s = CheckAttachmentName(name, field + ".name"); !s.ok()) return s.error();
      }
    } else {
      return InvalidField(field, "must be an uploaded attachment's sha256 or {sha256, name}");
    }
    if (!IsSha256Hex(sha)) return InvalidField(field, "must name a sha256 (64 hex digits)");
    auto info = attachments_.Info(sha);
    if (!info.ok()) return info.error();
    out.push_back(Reference(info.value(), name.empty() ? info.value().name : name));
  }
  return out;
}

}  // namespace helpdesk
