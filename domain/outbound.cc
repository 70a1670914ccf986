#include "domain/outbound.h"

#include <arpa/inet.h>

#include <cstring>

#include "domain/directory.h"

namespace helpdesk {
namespace {

bool IsPublicV4(const uint8_t* a) {
  const auto in = [&](uint8_t b0, int prefix_bits, uint8_t b1 = 0) {
    const uint32_t ip =
        (uint32_t{a[0]} << 24) | (uint32_t{a[1]} << 16) | (uint32_t{a[2]} << 8) | a[3];
    const uint32_t net = (uint32_t{b0} << 24) | (uint32_t{b1} << 16);
    const uint32_t mask = prefix_bits == 0 ? 0 : ~uint32_t{0} << (32 - prefix_bits);
    return (ip & mask) == (net & mask);
  };
  if (in(0, 8) || in(10, 8) || in(127, 8) || in(100, 10, 64) || in(169, 16, 254) ||
      in(172, 12, 16) || in(192, 16, 168) || in(198, 15, 18) || in(224, 4) || in(240, 4)) {
    return false;
  }
  // 192.0.0/24 (protocol assignments), 192.0.2/24, 198.51.100/24, 203.0.113/24 (documentation).
  if ((a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) ||
      (a[0] == 198 && a[1] == 51 && a[2] == 100) || (a[0] == 203 && a[1] == 0 && a[2] == 113)) {
    return false;
  }
  return true;
}

}  // namespace

bool IsPublicAddress(const uint8_t* b, size_t size) {
  if (size == 4) return IsPublicV4(b);
  if (size != 16) return false;
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kNat64, 12) == 0) {
    return IsPublicV4(b + 12);
  }
  bool zero_prefix = true;  // ::/96 holds :: (unspecified), ::1 (loopback), old compatible forms
  for (int i = 0; i < 12; ++i) zero_prefix = zero_prefix && b[i] == 0;
  if (zero_prefix) return false;
  if ((b[0] & 0xfe) == 0xfc) return false;                  // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;  // fe80::/10 link-local
  if (b[0] == 0xff) return false;                           // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // 2001:db8::/32
  return true;
}

std::string HostOfUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  size_t start = scheme + 3;
  const size_t end_of_authority = url.find_first_of("/?#", start);
  std::string authority = url.substr(
      start, end_of_authority == std::string::npos ? std::string::npos : end_of_authority - start);
  if (const size_t at = authority.rfind('@'); at != std::string::npos) {
    authority = authority.substr(at + 1);
  }
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    return close == std::string::npos ? "" : authority.substr(1, close - 1);
  }
  return authority.substr(0, authority.find(':'));
}

Status CheckOutboundUrl(const std::string& url, bool allow_private) {
  if (!IsValidOutboundUrl(url)) return InvalidField("outbound_url", "must be an https:// URL");
  if (allow_private) return Status::Ok();
  if (url.rfind("https://", 0) != 0) {
    return InvalidField("outbound_url", "must be an https:// URL");
  }
  const std::string host = HostOfUrl(url);
  uint8_t bytes[16];
  if (inet_pton(AF_INET, host.c_str(), bytes) == 1 && !IsPublicAddress(bytes, 4)) {
    return InvalidField("outbound_url",
                        "must not point at a private, loopback or link-local address");
  }
  if (inet_pton(AF_INET6, host.c_str(), bytes) == 1 && !IsPublicAddress(bytes, 16)) {
    return InvalidField("outbound_url",
                        "must not point at a private, loopback or link-local address");
  }
  return Status::Ok();
}

}  // namespace helpdesk
