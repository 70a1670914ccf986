#include "domain/messaging_window.h"

namespace helpdesk {

bool HasMessagingWindow(const std::string& channel_type) { return channel_type == "whatsapp"; }

std::optional<Timestamp> WindowExpiresAt(const std::string& channel_type,
                                         std::optional<Timestamp> last_customer_message) {
  if (!HasMessagingWindow(channel_type) || !last_customer_message) return std::nullopt;
  return Timestamp{last_customer_message->ms + kCustomerServiceWindowMs};
}

bool WindowOpen(const std::string& channel_type, std::optional<Timestamp> last_customer_message,
                Timestamp now) {
  if (!HasMessagingWindow(channel_type)) return true;
  // The customer never wrote (a conversation the business started): it never opened.
  return last_customer_message && now.ms < last_customer_message->ms + kCustomerServiceWindowMs;
}

bool MaySendTemplate(const std::string& channel_type,
                     std::optional<Timestamp> last_customer_message, Timestamp now, bool opted_in) {
  return opted_in || WindowOpen(channel_type, last_customer_message, now);
}

}  // namespace helpdesk
