// What the pure-domain tests share: the fixed instant they call "now", and an event staged on a
// stream the way the command layer stages it. Header-only: domain_tests links only the domain.
#pragma once

#include <string>

#include "domain/event.h"
#include "domain/events.h"
#include "domain/time.h"

namespace helpdesk::test {

// The fixed clock of the rule tests (an instant in January 2027); never the machine's clock.
inline constexpr Timestamp kNow{1'800'000'000'000};

// `event` on `stream`, done by agent "ana" at 2026-12-04T10:00:00Z, as Evolve would meet it.
inline NewEvent Staged(const events::Event& event, const std::string& stream) {
  const DomainEvent d = events::Encode(event);
  NewEvent e;
  e.stream = stream;
  e.type = d.type;
  e.data = d.data;
  e.actor = Actor::User("ana");
  e.at = *ParseRfc3339("2026-12-04T10:00:00Z");
  return e;
}

}  // namespace helpdesk::test
