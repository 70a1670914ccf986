// Evolve: how every state of the write model moves with one event of its stream.
//
// Each state type S declares, beside its definition,
//   void Evolve(S& state, const NewEvent& event, const std::optional<events::Event>& decoded,
//               uint64_t stream_version);
// with `decoded` = events::Decode(event): the write model decodes each event once and hands the
// result to whichever state the stream holds. Unknown types (`decoded` empty) only move the
// version. A caller holding a single event uses the form below, which decodes it.
#pragma once

#include <cstdint>
#include <optional>

#include "domain/event.h"
#include "domain/events.h"

namespace helpdesk {

template <class State>
void Evolve(State& state, const NewEvent& event, uint64_t stream_version) {
  Evolve(state, event, events::Decode(event), stream_version);
}

}  // namespace helpdesk
