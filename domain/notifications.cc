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
  // Only a user acts on their own behalf; a system component's id names nobody.
  const std::string actor = e.actor.type == Actor::Type::kUser ? e.actor.id : "";
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
  } else if (const auto* task = events::As<events::TaskCreated>(event)) {
    if (task->assignee_id) {
      tell(*task->assignee_id, "task_assigned");
    } else {
      for (const auto& user : task->team_members) tell(user, "task_queued");
    }
  } else if (const auto* given = events::As<events::TaskTransferred>(event)) {
    if (given->to_user_id) {
      tell(*given->to_user_id, "task_assigned");
    } else {
      for (const auto& user : given->team_members) tell(user, "task_queued");
    }
  } else if (const auto* reminded = events::As<events::TaskReminded>(event)) {
    const char* kind = reminded->reminder == "overdue" ? "task_overdue" : "task_due_soon";
    for (const auto& user : reminded->user_ids) tell(user, kind);
  }
  return out;
}

}  // namespace helpdesk
