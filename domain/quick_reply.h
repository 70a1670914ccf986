// Quick replies ("respostas prontas", "frases prontas", "mensagens rápidas"): saved texts an
// agent sends with a shortcut. A public one is for everyone; a private one only for its owner.
// Stream: quick_reply/<id>.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/event.h"
#include "domain/events.h"
#include "domain/evolve.h"
#include "domain/result.h"
#include "domain/roles.h"

namespace helpdesk {

struct QuickReplyState {
  bool exists = false;
  bool deleted = false;
  uint64_t version = 0;
  std::string id, shortcut, text, owner_id;
  bool is_public = true;
};

// Its move with one event of its stream (domain/evolve.h).
void Evolve(QuickReplyState& s, const NewEvent& e, const std::optional<events::Event>& decoded,
            uint64_t stream_version);

namespace quick_reply {

struct Draft {
  std::string shortcut, text;
  bool is_public = true;
};

// Shortcut: 1 to 64 characters, no spaces (typed after "/" in the composer); text: 1 byte to
// 64 KiB. invalid_field naming the field otherwise.
Status Validate(const Draft& d);
// The owner sees a private quick reply; everyone sees a public one. Deleted ones nobody.
bool IsVisibleTo(const QuickReplyState& s, const std::string& user_id);
// The owner changes their own; supervisors and admins change public ones too. Nobody else sees
// a private one, so nobody else can change it.
bool CanChange(const QuickReplyState& s, const std::string& user_id, Role role);

Result<std::vector<DomainEvent>> DecideCreate(const QuickReplyState& s, const std::string& id,
                                              const Draft& d, const std::string& owner_id);
// Nothing when the draft equals the current quick reply.
Result<std::vector<DomainEvent>> DecideUpdate(const QuickReplyState& s, const Draft& d);
Result<std::vector<DomainEvent>> DecideDelete(const QuickReplyState& s);

}  // namespace quick_reply
}  // namespace helpdesk
