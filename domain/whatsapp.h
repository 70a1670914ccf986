// WhatsApp Cloud API webhooks: what Meta POSTs to /webhooks/whatsapp/{channel_id} when a
// customer writes, turned into the inbound messages the rest of the help desk knows.
//
// Payload (only what we read):
//   {"object": "whatsapp_business_account",
//    "entry": [{"changes": [{"field": "messages", "value": {
//        "contacts": [{"wa_id": "5511988887777", "profile": {"name": "Rui"}}],
//        "messages": [{"from": "5511988887777", "id": "wamid.X", "timestamp": "1700000000",
//                      "type": "text", "text": {"body": "Olá"}}],
//        "statuses": [...]}}]}]}
// Statuses (Meta's delivery receipts) are acknowledged and not recorded. Media (image, audio,
// video, document, sticker) become attachments naming Meta's media id, their caption the text.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/result.h"
#include "domain/time.h"

namespace helpdesk {

struct WhatsAppInbound {
  std::string external_id;  // Meta's message id (wamid…): a repeat is recorded once
  std::string phone;        // "+" and the sender's WhatsApp id
  std::string name;         // the sender's profile name, when given
  std::string text;
  nlohmann::json attachments = nlohmann::json::array();
  std::optional<Timestamp> sent_at;
};

// The customer messages of one webhook POST, in order. kInvalidJson / kInvalidField when the
// body is not a WhatsApp Business Account notification.
Result<std::vector<WhatsAppInbound>> ParseWhatsAppWebhook(const nlohmann::json& body);

// The GET handshake: Meta sends hub.mode=subscribe, hub.verify_token and hub.challenge.
bool IsWhatsAppSubscribe(const std::string& mode);

}  // namespace helpdesk
