// Where the server may send requests of its own (deliveries to providers, webhooks): only to
// the public internet over https. A URL pointing at this machine, a private network or a cloud
// metadata service would let whoever configures a channel reach what only the server can.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "domain/result.h"

namespace helpdesk {

// An outbound URL a channel may name: a valid http(s) URL (IsValidOutboundUrl), https unless
// `allow_private`, and not an IP literal of a non-public range.
Status CheckOutboundUrl(const std::string& url, bool allow_private);

// True for an address on the public internet: not loopback, private (10/8, 172.16/12,
// 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10, where metadata services live),
// shared (100.64/10), unspecified, multicast, broadcast, documentation or benchmarking ranges.
// IPv4-mapped and NAT64 IPv6 addresses are judged by their IPv4 part. `bytes` is 4 or 16 bytes in
// network order.
bool IsPublicAddress(const uint8_t* bytes, size_t size);

// The host of an http(s) URL (without port or brackets); empty when there is none.
std::string HostOfUrl(const std::string& url);

}  // namespace helpdesk
