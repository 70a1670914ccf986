// WhatsApp's rules for writing to a customer, in one place:
//  - the customer service window: free text only within 24 hours after the customer's last
//    message; outside it, only an approved template;
//  - opt-in: a business may start a conversation (with a template) only with a contact who
//    opted in on that channel.
// Other channel types have neither rule.
#pragma once

#include <optional>
#include <string>

#include "domain/time.h"

namespace helpdesk {

constexpr int64_t kCustomerServiceWindowMs = 24 * kHourMs;

// Whether the channel type limits free text to the window and starting to opted-in contacts.
bool HasMessagingWindow(const std::string& channel_type);

// When the window closes, for a conversation whose customer last wrote at
// `last_customer_message`. nullopt for channels without a window, and while the customer has
// never written (the window never opened: only templates may be sent).
std::optional<Timestamp> WindowExpiresAt(const std::string& channel_type,
                                         std::optional<Timestamp> last_customer_message);

// Whether free text may be sent at `now`: always on channels without a window.
bool WindowOpen(const std::string& channel_type, std::optional<Timestamp> last_customer_message,
                Timestamp now);

// Whether a template may be sent at `now`: inside the window always; outside it (starting a
// conversation, or writing again after a day of silence) only to a contact who opted in.
bool MaySendTemplate(const std::string& channel_type,
                     std::optional<Timestamp> last_customer_message, Timestamp now, bool opted_in);

}  // namespace helpdesk
