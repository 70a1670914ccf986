// Who is told about what, in one place: the notifications a conversation or task event gives.
//  - mention:     a private note names the user with @handle (domain/directory.h FindMentions);
//  - assigned:    someone else assigned the conversation to the user, or transferred it to them;
//  - queued:      it was transferred to a team's queue the user is in (the team's members are
//                 recorded in the event, so a replay tells the same people);
//  - invited:     a colleague invited the user into the conversation (a participant);
//  - task_assigned: a task was made for the user, or given to them, by someone else;
//  - task_queued:   a task was queued for a team the user is in (members recorded in the event);
//  - task_due_soon, task_overdue: the timer's reminders of a task, to its assignee (or, while
//                 queued, its team), an hour before it is due and once it is overdue.
// Nobody is told about what they did themselves.
#pragma once

#include <string>
#include <vector>

#include "domain/event.h"
#include "domain/events.h"

namespace helpdesk {

struct Notification {
  std::string user_id;
  std::string kind;  // "mention" | "assigned" | "queued" | "invited" | "task_…" (above)
};

std::vector<Notification> NotificationsFor(const NewEvent& conversation_event);
// The same with the event already decoded.
std::vector<Notification> NotificationsFor(const NewEvent& conversation_event,
                                           const std::optional<events::Event>& decoded);

}  // namespace helpdesk
