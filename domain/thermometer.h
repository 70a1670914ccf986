// The thermometer: how long the customer has been waiting for a public reply, in colours.
// Whole minutes waited, floor(seconds / 60): 0–5 green, 6–15 yellow, 16 and more red.
// Computed at read time from `waiting_since`; null when nothing waits or the conversation is
// closed.
#pragma once

#include <optional>

#include "domain/conversation.h"
#include "domain/time.h"

namespace helpdesk {

enum class Thermometer { kGreen, kYellow, kRed };
const char* ThermometerName(Thermometer t);

std::optional<Thermometer> ThermometerAt(ConversationStatus status,
                                         std::optional<Timestamp> waiting_since, Timestamp now);

}  // namespace helpdesk
