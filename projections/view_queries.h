// Read-side queries over the views other than the inbox list. All thread-safe (RocksDB reads).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/result.h"
#include "domain/time.h"
#include "projections/inbox_query.h"
#include "projections/view_store.h"

namespace helpdesk {

// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; a cell that
// begins with '=', '+', '-', '@', a tab or a CR gets a leading "'" (no formula injection).
std::string CsvField(const std::string& cell);

class ViewQueries {
 public:
  explicit ViewQueries(const ViewStore& views) : views_(views) {}

  // The conversation object as JSON text, as seen at `now`.
  std::optional<std::string> Conversation(const std::string& id, Timestamp now) const;
  // The conversation as it was at `as_of`: its events up to then, folded by the domain's own
  // Evolve from the timeline view, with the contact as it is now. nullopt: it did not exist yet.
  std::optional<std::string> ConversationAsOf(const std::string& id, Timestamp as_of) const;
  // Messages and notes, oldest first.
  Result<Page> Messages(const std::string& id, const std::optional<std::string>& cursor,
                        size_t limit) const;
  // Every event of the conversation, oldest first; with `until`, those at or before it.
  Result<Page> Timeline(const std::string& id, const std::optional<std::string>& cursor,
                        size_t limit, std::optional<Timestamp> until = std::nullopt) const;
  // "at,direction,private,author,text" and one row per message (RFC 4180 quoting).
  std::string ConversationCsv(const std::string& id) const;

  nlohmann::json Summary(const std::string& caller_id) const;
  // `q` matches name or e-mail, case-insensitively.
  Result<Page> Users(const std::optional<std::string>& q, const std::optional<std::string>& cursor,
                     size_t limit) const;
  Result<Page> Teams(const std::optional<std::string>& q, const std::optional<std::string>& cursor,
                     size_t limit) const;
  std::optional<nlohmann::json> User(const std::string& id) const;
  // The desk's settings: {agent_visibility, close_reasons, updated_at|null}, defaults before
  // any change.
  nlohmann::json DeskSettings() const;
  // The user's live tokens by id ({token_id, name, created_at, expires_at, last_used_at}; never
  // the secret), `last_used` telling when each was last seen.
  Result<Page> UserTokens(
      const std::string& user_id, const std::optional<std::string>& cursor, size_t limit,
      const std::function<std::optional<Timestamp>(const std::string& token_id)>& last_used) const;
  std::optional<nlohmann::json> Team(const std::string& id) const;
  std::optional<nlohmann::json> Channel(const std::string& id) const;
  // Every channel, by id.
  Result<Page> Channels(const std::optional<std::string>& cursor, size_t limit) const;
  std::optional<nlohmann::json> Contact(const std::string& id) const;
  // Quick replies `viewer` sees (public ones and their own private ones), by id; `q` matches
  // the shortcut or the text, case-insensitively.
  Result<Page> QuickReplies(const std::string& viewer, const std::optional<std::string>& q,
                            const std::optional<std::string>& cursor, size_t limit) const;
  // One quick reply, if `viewer` sees it; without a viewer, as stored (the answer to a command
  // that may have just made it private to someone else).
  std::optional<nlohmann::json> QuickReply(const std::optional<std::string>& viewer,
                                           const std::string& id) const;
  // The conversation a ticket protocol was issued for.
  std::optional<std::string> ConversationWithProtocol(const std::string& protocol) const;
  // The user's notifications, newest first (only unread ones with `unread_only`), and how
  // many are unread.
  Result<Page> Notifications(const std::string& user_id, bool unread_only,
                             const std::optional<std::string>& cursor, size_t limit) const;
  int64_t UnreadNotifications(const std::string& user_id) const;
  // A channel's templates, by id.
  Result<Page> Templates(const std::string& channel_id, const std::optional<std::string>& cursor,
                         size_t limit) const;
  std::optional<nlohmann::json> Template(const std::string& channel_id,
                                         const std::string& id) const;

  // Postponed conversations whose wake-up time is at or before `now`, soonest first.
  std::vector<std::string> DueAt(Timestamp now, size_t max) const;
  // Agents' messages waiting for delivery to their channel's provider, as the projector queued
  // them: {conversation_id, message_id, channel_id, text, attachments, template_id, sent_at}.
  // Only those `wanted` (by conversation and message id) count towards `max`.
  std::vector<nlohmann::json> PendingDeliveries(
      const std::function<bool(const std::string& conversation_id, const std::string& message_id)>&
          wanted,
      size_t max) const;

 private:
  // Pages through keys under `prefix`; `render` turns a value into an item (or nullopt to skip).
  Result<Page> PagePrefix(
      const std::string& prefix, const std::optional<std::string>& cursor, size_t limit,
      const std::function<std::optional<nlohmann::json>(const std::string&)>& render) const;
  int64_t Counter(const std::string& key) const;
  int64_t OpenCount(const std::string& counter_prefix) const;  // all statuses but closed

  const ViewStore& views_;
};

}  // namespace helpdesk
