#include "api/request_framer.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace helpdesk {
namespace {

constexpr std::string_view kEndOfHead = "\r\n\r\n";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool NameIs(std::string_view name, std::string_view lower) {
  return name.size() == lower.size() &&
         std::equal(name.begin(), name.end(), lower.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace

RequestFramer::RequestFramer(size_t max_head_bytes, std::string peer_header, std::string peer_value,
                             BodyLimit body_limit)
    : max_head_bytes_(max_head_bytes),
      peer_header_(std::move(peer_header)),
      peer_value_(std::move(peer_value)),
      body_limit_(std::move(body_limit)) {}

RequestFramer::Verdict RequestFramer::Feed(std::string_view in, std::string& out) {
  while (!in.empty()) {
    if (in_body_) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(body_left_, in.size()));
      out.append(in.substr(0, n));
      in.remove_prefix(n);
      body_left_ -= n;
      if (body_left_ == 0) in_body_ = false;
      continue;
    }
    if (head_.empty()) {
      // Empty lines before a request line are allowed (RFC 9112, 2.2).
      while (!in.empty() && (in.front() == '\r' || in.front() == '\n')) in.remove_prefix(1);
      if (in.empty()) break;
    }
    // Take at most one byte past the limit: enough to know the head is too large.
    const size_t before = head_.size();
    const size_t take = std::min(in.size(), max_head_bytes_ + 1 - before);
    head_.append(in.substr(0, take));
    const size_t end = head_.find(kEndOfHead, before < 3 ? 0 : before - 3);
    if (end == std::string::npos) {
      if (head_.size() > max_head_bytes_) return Verdict::kHeadTooLarge;
      in.remove_prefix(take);
      continue;
    }
    const size_t head_size = end + kEndOfHead.size();
    if (head_size > max_head_bytes_) return Verdict::kHeadTooLarge;
    // What was taken past the head's end is the body (or the next request): give it back.
    const size_t past = head_.size() - head_size;
    in.remove_prefix(take - past);
    head_.resize(head_size);
    if (const Verdict v = FinishHead(head_size, out); v != Verdict::kOk) return v;
  }
  return Verdict::kOk;
}

RequestFramer::Verdict RequestFramer::FinishHead(size_t head_size, std::string& out) {
  std::string_view head(head_.data(), head_size - 2);  // each line keeps its "\r\n"
  // Lines end with CRLF and nothing else, and hold no control bytes but tabs: a bare LF would
  // end a line for the listener and not here, and let a client slip a header past the framer.
  for (size_t i = 0; i < head.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(head[i]);
    if (c == '\r' && i + 1 < head.size() && head[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (c < 0x20 && c != '\t') return Verdict::kBadHead;
    if (c == 0x7f) return Verdict::kBadHead;
  }
  const size_t first_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, first_end);
  if (request_line.empty() || request_line.find(' ') == std::string_view::npos) {
    return Verdict::kBadHead;
  }
  std::string forwarded;  // passed on only when the whole head is accepted
  forwarded.append(request_line).append("\r\n");
  forwarded.append(peer_header_).append(": ").append(peer_value_).append("\r\n");
  std::optional<uint64_t> length;
  for (size_t at = first_end + 2; at < head.size();) {
    const size_t line_end = head.find("\r\n", at);
    const std::string_view line = head.substr(at, line_end - at);
    at = line_end + 2;
    const size_t colon = line.find(':');
    const std::string_view name = Trim(line.substr(0, colon));
    if (colon != std::string_view::npos) {
      if (NameIs(name, peer_header_)) continue;  // only the gate says who the client is
      if (NameIs(name, "transfer-encoding")) return Verdict::kChunked;
      if (NameIs(name, "content-length")) {
        const std::string_view value = Trim(line.substr(colon + 1));
        if (value.empty() || value.size() > 18 ||
            !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          return Verdict::kBadHead;
        }
        const uint64_t n = std::stoull(std::string(value));
        if (length && *length != n) return Verdict::kBadHead;
        length = n;
      }
    }
    forwarded.append(line).append("\r\n");
  }
  if (length && body_limit_) {
    const size_t method_end = request_line.find(' ');
    const std::string_view target = request_line.substr(method_end + 1);
    if (*length >
        body_limit_(request_line.substr(0, method_end), target.substr(0, target.find(' ')))) {
      return Verdict::kBodyTooLarge;
    }
  }
  forwarded.append("\r\n");
  out += forwarded;
  ++requests_;
  head_.clear();
  body_left_ = length.value_or(0);
  in_body_ = body_left_ > 0;
  return Verdict::kOk;
}

}  // namespace helpdesk
