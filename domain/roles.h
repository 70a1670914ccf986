// Roles and what each may do. One place for every permission rule.
#pragma once

#include <optional>
#include <set>
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
// Deliver a customer's message on `channel_id`: an admin, or that channel's own token
// (`caller_channel_id`, empty for users).
bool MayDeliverInbound(Role r, const std::string& caller_channel_id, const std::string& channel_id);
// See an event of `stream` on the live feed (GET /api/v1/stream). Who reads the event feed sees
// every stream; an agent sees what their console shows: conversations, contacts, users, teams,
// templates and protocols, not channels (credentials) nor quick replies (some are private).
bool MayStreamEvent(Role r, const std::string& stream);

// The desk's setting of which conversations agents see (GET|PATCH /api/v1/settings).
//   kAll: every one, as in a shared inbox (the default).
//   kTeams: those assigned to them, in one of their teams, in the general queue (neither a
//   team nor an assignee), or that they were invited into. Anything else reads and acts as if it
//   did not exist.
// Supervisors, admins and auditors always see everything.
enum class AgentVisibility { kAll, kTeams };
const char* AgentVisibilityName(AgentVisibility v);
std::optional<AgentVisibility> ParseAgentVisibility(const std::string& name);

// A caller whose sight is narrowed by the setting.
struct NarrowedViewer {
  std::string user_id;
  std::set<std::string> teams;
};
// The caller's narrowed sight; nullopt when they see every conversation.
std::optional<NarrowedViewer> NarrowSight(AgentVisibility setting, Role role,
                                          const std::string& user_id,
                                          const std::set<std::string>& teams);
// Whether `viewer` sees a conversation with this assignee, team and invited participants.
bool MaySeeConversation(const NarrowedViewer& viewer, const std::optional<std::string>& assignee_id,
                        const std::optional<std::string>& team_id,
                        const std::set<std::string>& participants);

}  // namespace helpdesk
