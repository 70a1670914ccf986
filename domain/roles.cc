#include "domain/roles.h"

namespace helpdesk {

const char* RoleName(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "admin";
    case Role::kSupervisor:
      return "supervisor";
    case Role::kAgent:
      return "agent";
    case Role::kAuditor:
      return "auditor";
    case Role::kAnalyst:
      return "analyst";
  }
  return "agent";
}

std::optional<Role> ParseRole(const std::string& name) {
  for (Role r : {Role::kAdmin, Role::kSupervisor, Role::kAgent, Role::kAuditor, Role::kAnalyst}) {
    if (name == RoleName(r)) return r;
  }
  return std::nullopt;
}

bool CanAdminister(Role r) { return r == Role::kAdmin; }
bool CanSupervise(Role r) { return r == Role::kAdmin || r == Role::kSupervisor; }
bool CanWorkConversations(Role r) {
  return r == Role::kAdmin || r == Role::kSupervisor || r == Role::kAgent;
}
bool CanReadConversations(Role r) { return CanWorkConversations(r) || r == Role::kAuditor; }
bool CanReadEvents(Role r) {
  return r == Role::kAdmin || r == Role::kSupervisor || r == Role::kAuditor || r == Role::kAnalyst;
}
bool CanReadReports(Role r) {
  return r == Role::kAdmin || r == Role::kSupervisor || r == Role::kAnalyst;
}
bool CanReadDirectory(Role r) { return r != Role::kAnalyst; }

bool MayDeliverInbound(Role r, const std::string& caller_channel_id,
                       const std::string& channel_id) {
  return CanAdminister(r) || caller_channel_id == channel_id;
}

bool MayStreamEvent(Role r, const std::string& stream) {
  if (CanReadEvents(r)) return true;
  if (!CanReadConversations(r)) return false;
  for (const char* prefix :
       {"conversation/", "contact/", "user/", "team/", "template/", "protocol/"}) {
    if (stream.starts_with(prefix)) return true;
  }
  return false;
}

const char* AgentVisibilityName(AgentVisibility v) {
  return v == AgentVisibility::kTeams ? "teams" : "all";
}

std::optional<AgentVisibility> ParseAgentVisibility(const std::string& name) {
  if (name == "all") return AgentVisibility::kAll;
  if (name == "teams") return AgentVisibility::kTeams;
  return std::nullopt;
}

std::optional<NarrowedViewer> NarrowSight(AgentVisibility setting, Role role,
                                          const std::string& user_id,
                                          const std::set<std::string>& teams) {
  if (setting == AgentVisibility::kAll || role != Role::kAgent) return std::nullopt;
  return NarrowedViewer{user_id, teams};
}

bool MaySeeConversation(const NarrowedViewer& viewer, const std::optional<std::string>& assignee_id,
                        const std::optional<std::string>& team_id,
                        const std::set<std::string>& participants) {
  if (assignee_id && *assignee_id == viewer.user_id) return true;
  const bool unassigned = !assignee_id || assignee_id->empty();
  const bool no_team = !team_id || team_id->empty();
  if (unassigned && no_team) return true;  // the general queue
  if (!no_team && viewer.teams.count(*team_id)) return true;
  return participants.count(viewer.user_id) > 0;
}

}  // namespace helpdesk
