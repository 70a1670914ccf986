#include "domain/quick_reply.h"

#include "domain/events.h"

namespace helpdesk {
namespace {

using nlohmann::json;

constexpr size_t kMaxShortcutBytes = 64;
constexpr size_t kMaxTextBytes = 64 * 1024;

const char* Visibility(bool is_public) { return is_public ? "public" : "private"; }

Error Gone(const std::string& id) { return NotFound("quick reply " + id); }

}  // namespace

void Evolve(QuickReplyState& s, const NewEvent&, const std::optional<events::Event>& event,
            uint64_t stream_version) {
  s.version = stream_version;
  if (!event) return;
  std::visit(events::Overloaded{
                 [&](const events::QuickReplyCreated& q) {
                   s.exists = true;
                   s.id = q.quick_reply_id;
                   s.owner_id = q.owner_id;
                   s.shortcut = q.shortcut;
                   s.text = q.text;
                   s.is_public = q.visibility == "public";
                 },
                 [&](const events::QuickReplyUpdated& q) {
                   s.shortcut = q.shortcut;
                   s.text = q.text;
                   s.is_public = q.visibility == "public";
                 },
                 [&](const events::QuickReplyDeleted&) { s.deleted = true; },
                 [](const auto&) {},
             },
             *event);
}

namespace quick_reply {

Status Validate(const Draft& d) {
  if (d.shortcut.empty() || d.shortcut.size() > kMaxShortcutBytes) {
    return InvalidField("shortcut", "must be 1 to 64 characters");
  }
  if (d.shortcut.find_first_of(" \t\r\n") != std::string::npos) {
    return InvalidField("shortcut", "must not contain spaces");
  }
  if (d.text.empty()) return InvalidField("text", "must be a non-empty string");
  if (d.text.size() > kMaxTextBytes) return InvalidField("text", "must be at most 64 KiB");
  return Status::Ok();
}

bool IsVisibleTo(const QuickReplyState& s, const std::string& user_id) {
  return s.exists && !s.deleted && (s.is_public || s.owner_id == user_id);
}

bool CanChange(const QuickReplyState& s, const std::string& user_id, Role role) {
  if (!IsVisibleTo(s, user_id)) return false;
  return s.owner_id == user_id || (s.is_public && CanSupervise(role));
}

Result<std::vector<DomainEvent>> DecideCreate(const QuickReplyState& s, const std::string& id,
                                              const Draft& d, const std::string& owner_id) {
  if (s.exists) return InvalidTransition("quick reply " + id + " already exists");
  if (Status valid = Validate(d); !valid.ok()) return valid.error();
  return std::vector<DomainEvent>{events::Encode(
      events::QuickReplyCreated{id, d.shortcut, d.text, Visibility(d.is_public), owner_id})};
}

Result<std::vector<DomainEvent>> DecideUpdate(const QuickReplyState& s, const Draft& d) {
  if (!s.exists || s.deleted) return Gone(s.id);
  if (Status valid = Validate(d); !valid.ok()) return valid.error();
  if (d.shortcut == s.shortcut && d.text == s.text && d.is_public == s.is_public) {
    return std::vector<DomainEvent>{};
  }
  return std::vector<DomainEvent>{
      events::Encode(events::QuickReplyUpdated{d.shortcut, d.text, Visibility(d.is_public)})};
}

Result<std::vector<DomainEvent>> DecideDelete(const QuickReplyState& s) {
  if (!s.exists || s.deleted) return Gone(s.id);
  return std::vector<DomainEvent>{events::Encode(events::QuickReplyDeleted{})};
}

}  // namespace quick_reply
}  // namespace helpdesk
