// ContactProjector: a contact's stream into its views: the contact object (k/<id>, as the API
// shows it), the contact list's indexes (contact_list.h), its notes (kno/) and mention
// notifications. A change of the card is copied onto each of its conversations, so the inbox can
// show and filter by it without a join at read time; an erasure scrubs them.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "domain/event.h"
#include "domain/events.h"
#include "projections/conversation_cache.h"
#include "projections/conversation_view.h"
#include "projections/view_txn.h"

namespace helpdesk {

class ContactProjector {
 public:
  // An event of a contact's stream, and what it decodes to (events::Decode of `r.event`).
  void Apply(const RecordedEvent& r, const std::optional<events::Event>& event, ViewTxn& txn,
             ConversationCache& cache) const;
};

// The card a conversation shows of its contact, from the contact object.
ContactCard CardOfContact(const nlohmann::json& contact);

}  // namespace helpdesk
