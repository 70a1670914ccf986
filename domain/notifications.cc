#include "domain/notifications.h"

#include <set>

#include "domain/events.h"

namespace helpdesk {

std::vector<Notification> NotificationsFor(const NewEvent& e) {
  return NotificationsFor(e, events::Decode(e));
}

std::vector<Notification> NotificationsFor(const NewEvent& e,
                                           const std::optional<events::Event>& event) {
  std::vector<Notification> out;
  std::set<std::string> told;
  const std::string& actor = e.actor.id;
  auto tell = [&](const std::string& id, const char* kind) {
    if (id.empty() || id == actor || !told.insert(id).second) return;
    out.push_back({id, kind});
  };
  if (const auto* note = events::As<events::NoteAdded>(event)) {
    for (const auto& user : note->mentions) tell(user, "mention");
  } else if (const auto* assigned = events::As<events::ConversationAssigned>(event)) {
    if (assigned->via != "take") tell(assigned->assignee_id, "assigned");
  } else if (const auto* moved = events::As<events::ConversationTransferred>(event)) {
    if (moved->to_user_id) {
      tell(*moved->to_user_id, "assigned");
    } else {
      for (const auto& user : moved->team_members) tell(user, "queued");
    }
  } else if (const auto* invited = events::As<events::ParticipantAdded>(event)) {
    tell(invited->user_id, "invited");
  }
  return out;
}

}  // namespace helpdesk
