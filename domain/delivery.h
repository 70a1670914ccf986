// Delivering agents' messages to the channel: the provider side (a WhatsApp Business gateway, an
// SMS aggregator, the web chat widget's backend) takes each public message at the channel's
// outbound URL. The rules of that exchange live here: what is sent, how an answer is judged, and
// how long to wait before trying again.
//
// The request is a JSON POST signed like the webhooks providers send us:
//   X-Helpdesk-Signature: sha256=<hex HMAC-SHA256 of the body with the channel's outbound secret>
//   X-Helpdesk-Delivery: <message id>   (the same on every attempt: receivers drop repeats)
// Delivery is at least once: a node that dies between the receiver's 2xx and recording it sends
// the message again after restart, with the same X-Helpdesk-Delivery.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace helpdesk {

// Whether an agent's message goes out through the channel's provider: public messages (never
// private notes) on a channel connected to an outbound URL.
inline bool GoesThroughProvider(bool is_private, const std::string& outbound_url) {
  return !is_private && !outbound_url.empty();
}

// Attempts before a message counts as failed (MessageFailed).
inline constexpr int kMaxDeliveryAttempts = 6;

// Wait after `failed_attempts` failures before the next attempt: base, 2×base, 4×base… at most
// five minutes.
std::chrono::milliseconds DeliveryBackoff(int failed_attempts, std::chrono::milliseconds base);

enum class DeliveryVerdict {
  kDelivered,  // a 2xx
  kRetry,      // no answer, a 5xx, 408 or 429: the receiver may take it later
  kGiveUp,     // any other answer (the receiver refuses this message), or attempts used up
};
// `http_status` 0: no answer (connection refused, timeout). `attempts`: made so far, this one
// included.
DeliveryVerdict JudgeDelivery(int http_status, int attempts, int max_attempts);

// What the receiver gets for one message.
struct OutboundMessage {
  std::string message_id, conversation_id, channel_id, channel_type;
  std::string text;
  nlohmann::json attachments = nlohmann::json::array();
  std::string template_id;  // empty when free text
  std::string to_phone, to_email, to_name;
  std::string sent_at;  // RFC 3339
};
nlohmann::json DeliveryPayload(const OutboundMessage& m);

}  // namespace helpdesk
