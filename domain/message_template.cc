#include "domain/message_template.h"

#include <set>

#include "domain/events.h"

namespace helpdesk {
namespace {

constexpr size_t kMaxBodyBytes = 4096;  // WhatsApp's own limit on a template body is 1,024

// Calls found(number, begin, end) for each {{number}} in `body`; false on a malformed one.
template <class Found>
bool EachPlaceholder(const std::string& body, Found found) {
  for (size_t at = body.find("{{"); at != std::string::npos; at = body.find("{{", at + 2)) {
    const size_t close = body.find("}}", at + 2);
    if (close == std::string::npos) return false;
    const std::string inner = body.substr(at + 2, close - at - 2);
    if (inner.empty() || inner.size() > 2 ||
        inner.find_first_not_of("0123456789") != std::string::npos || inner[0] == '0') {
      return false;
    }
    found(std::stoi(inner), at, close + 2);
  }
  return true;
}

}  // namespace

void Evolve(TemplateState& s, const NewEvent&, const std::optional<events::Event>& event,
            uint64_t stream_version) {
  s.version = stream_version;
  if (!event) return;
  if (const auto* t = std::get_if<events::TemplateCreated>(&*event)) {
    s.exists = true;
    s.id = t->template_id;
    s.channel_id = t->channel_id;
    s.name = t->name;
    s.body = t->body;
    s.params = t->params;
  }
}

namespace message_template {

Result<int> CountParams(const std::string& body) {
  std::set<int> seen;
  if (!EachPlaceholder(body, [&](int n, size_t, size_t) { seen.insert(n); })) {
    return InvalidField("body", "has a placeholder that is not {{1}}, {{2}}…");
  }
  const int count = static_cast<int>(seen.size());
  if (count > 0 && *seen.rbegin() != count) {
    return InvalidField("body", "must number its placeholders {{1}} to {{n}} without gaps");
  }
  return count;
}

Result<std::string> Render(const TemplateState& t, const std::vector<std::string>& params) {
  if (static_cast<int>(params.size()) != t.params) {
    return InvalidField("params",
                        "must hold " + std::to_string(t.params) + " values for template " + t.id);
  }
  for (const std::string& p : params) {
    if (p.empty()) return InvalidField("params", "must not hold empty values");
    if (p.size() > kMaxRenderedBytes)
      return InvalidField("params", "values must be at most 64 KiB");
  }
  std::string out;
  size_t copied = 0;
  bool too_long = false;
  EachPlaceholder(t.body, [&](int n, size_t begin, size_t end) {
    if (too_long) return;
    const std::string& value = params[static_cast<size_t>(n - 1)];
    if (out.size() + (begin - copied) + value.size() > kMaxRenderedBytes) {
      too_long = true;
      return;
    }
    out.append(t.body, copied, begin - copied);
    out += value;
    copied = end;
  });
  if (too_long || out.size() + (t.body.size() - copied) > kMaxRenderedBytes) {
    return InvalidField("params", "make a text over 64 KiB");
  }
  out.append(t.body, copied, std::string::npos);
  return out;
}

Result<std::vector<DomainEvent>> DecideCreate(const TemplateState& s, const std::string& id,
                                              const std::string& channel_id,
                                              const std::string& name, const std::string& body) {
  if (s.exists) return InvalidTransition("template " + id + " already exists");
  if (name.empty() || name.size() > 256) return InvalidField("name", "must be 1 to 256 bytes");
  if (body.empty() || body.size() > kMaxBodyBytes) {
    return InvalidField("body", "must be 1 to 4096 bytes");
  }
  auto params = CountParams(body);
  if (!params.ok()) return params.error();
  return std::vector<DomainEvent>{
      events::Encode(events::TemplateCreated{id, channel_id, name, body, params.value()})};
}

}  // namespace message_template
}  // namespace helpdesk
