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

}  // namespace helpdesk
