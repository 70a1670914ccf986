#include "domain/notifications.h"

#include <set>

namespace helpdesk {

std::vector<Notification> NotificationsFor(const NewEvent& e) {
  std::vector<Notification> out;
  std::set<std::string> told;
  const std::string& actor = e.actor.id;
  auto tell = [&](const nlohmann::json& user, const char* kind) {
    if (!user.is_string()) return;
    const std::string id = user.get<std::string>();
    if (id.empty() || id == actor || !told.insert(id).second) return;
    out.push_back({id, kind});
  };
  const nlohmann::json& d = e.data;
  if (e.type == ev::kNoteAdded) {
    for (const auto& user : d.value("mentions", nlohmann::json::array())) tell(user, "mention");
  } else if (e.type == ev::kConversationAssigned) {
    if (d.value("via", "") != "take") tell(d.value("assignee_id", nlohmann::json()), "assigned");
  } else if (e.type == ev::kConversationTransferred) {
    const nlohmann::json to_user = d.value("to_user_id", nlohmann::json());
    if (to_user.is_string()) {
      tell(to_user, "assigned");
    } else {
      for (const auto& user : d.value("team_members", nlohmann::json::array())) {
        tell(user, "queued");
      }
    }
  }
  return out;
}

}  // namespace helpdesk
