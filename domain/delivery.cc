#include "domain/delivery.h"

#include <algorithm>

namespace helpdesk {

std::chrono::milliseconds DeliveryBackoff(int failed_attempts, std::chrono::milliseconds base) {
  const auto cap = std::chrono::milliseconds(std::chrono::minutes(5));
  auto wait = base;
  for (int i = 1; i < failed_attempts && wait < cap; ++i) wait *= 2;
  return std::min(wait, cap);
}

DeliveryVerdict JudgeDelivery(int http_status, int attempts, int max_attempts) {
  if (http_status >= 200 && http_status < 300) return DeliveryVerdict::kDelivered;
  const bool transient =
      http_status == 0 || http_status >= 500 || http_status == 408 || http_status == 429;
  if (!transient) return DeliveryVerdict::kGiveUp;
  return attempts < max_attempts ? DeliveryVerdict::kRetry : DeliveryVerdict::kGiveUp;
}

nlohmann::json DeliveryPayload(const OutboundMessage& m) {
  nlohmann::json to = nlohmann::json::object();
  if (!m.to_phone.empty()) to["phone"] = m.to_phone;
  if (!m.to_email.empty()) to["email"] = m.to_email;
  if (!m.to_name.empty()) to["name"] = m.to_name;
  return nlohmann::json{{"message_id", m.message_id},
                        {"conversation_id", m.conversation_id},
                        {"channel_id", m.channel_id},
                        {"channel_type", m.channel_type},
                        {"to", to},
                        {"text", m.text},
                        {"attachments", m.attachments},
                        {"template_id", m.template_id.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(m.template_id)},
                        {"sent_at", m.sent_at}};
}

}  // namespace helpdesk
