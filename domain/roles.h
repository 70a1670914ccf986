// Roles and what each may do. One place for every permission rule.
#pragma once

#include <optional>
#include <string>

namespace helpdesk {

enum class Role { kAdmin, kSupervisor, kAgent, kAuditor, kAnalyst };
const char* RoleName(Role r);
std::optional<Role> ParseRole(const std::string& name);

// Create users and channels; deliver inbound messages for any channel.
bool CanAdminister(Role r);
// Create teams, add members, set another user's presence.
bool CanSupervise(Role r);
// Change conversations: take, reply, assign, transfer, postpone, tag, close, reopen.
bool CanWorkConversations(Role r);
// Read conversations, messages and timelines (private notes included).
bool CanReadConversations(Role r);
// Read the global event feed.
bool CanReadEvents(Role r);
// Read the reports.
bool CanReadReports(Role r);
// Read users, teams and the inbox summary.
bool CanReadDirectory(Role r);

}  // namespace helpdesk
