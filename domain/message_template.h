// Message templates (WhatsApp "modelos"): texts approved per channel, with numbered
// parameters ({{1}}, {{2}}…) filled in when sent. The only way to start a conversation, and the
// only thing a WhatsApp channel may send once the customer service window closed
// (domain/messaging_window.h). Stream: template/<id>.
#pragma once

#include <string>
#include <vector>

#include "domain/event.h"
#include "domain/events.h"
#include "domain/evolve.h"
#include "domain/result.h"

namespace helpdesk {

struct TemplateState {
  bool exists = false;
  uint64_t version = 0;
  std::string id, channel_id, name, body;
  int params = 0;
};

// Its move with one event of its stream (domain/evolve.h).
void Evolve(TemplateState& s, const NewEvent& e, const std::optional<events::Event>& decoded,
            uint64_t stream_version);

namespace message_template {

// The number of parameters of `body`: its placeholders must be {{1}}..{{n}}, each at least
// once, none other (invalid_field "body" otherwise).
Result<int> CountParams(const std::string& body);
// The longest text a rendered template may make: a message's own limit (64 KiB).
inline constexpr size_t kMaxRenderedBytes = 64 * 1024;
// The body with each {{i}} replaced by params[i-1]; invalid_field "params" unless exactly
// `t.params` non-empty values are given and the text stays within kMaxRenderedBytes (checked
// as it grows: a large value repeated by many placeholders costs no more than the limit).
Result<std::string> Render(const TemplateState& t, const std::vector<std::string>& params);

Result<std::vector<DomainEvent>> DecideCreate(const TemplateState& s, const std::string& id,
                                              const std::string& channel_id,
                                              const std::string& name, const std::string& body);

}  // namespace message_template
}  // namespace helpdesk
