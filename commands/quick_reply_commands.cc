// Quick replies: create, edit, delete.
#include "commands/command_service.h"
#include "commands/id_rules.h"

namespace helpdesk {
namespace {

Result<bool> ParseVisibility(const std::optional<std::string>& v, bool fallback) {
  if (!v) return fallback;
  if (*v == "public") return true;
  if (*v == "private") return false;
  return InvalidField("visibility", "must be public or private");
}

Error ShortcutTaken(const std::string& shortcut, const std::string& other) {
  return InvalidTransition("the shortcut '" + shortcut + "' is taken by quick reply " + other);
}

// The quick reply `caller` may `verb` ("change", "delete"): 404 when they do not see it, 403
// when they see it but may not change it.
Result<const QuickReplyState*> Changeable(const WriteModel& model, const Caller& caller,
                                          const std::string& id, const char* verb) {
  const QuickReplyState* q = model.QuickReply(id);
  const std::string me = caller.actor().id;
  if (!q || !quick_reply::IsVisibleTo(*q, me)) return NotFound("quick reply " + id);
  if (!quick_reply::CanChange(*q, me, caller.role)) {
    return Forbidden(std::string("only its owner, or a supervisor for a public one, can ") + verb +
                     " quick reply " + id);
  }
  return q;
}

}  // namespace

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::CreateQuickReply& a) {
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return Forbidden(std::string("the ") + RoleName(caller.role) +
                     " role cannot keep quick replies");
  }
  auto id = ChooseId(a.id, ids_);
  if (!id.ok()) return id.error();
  if (!a.shortcut) return InvalidField("shortcut", "is required");
  if (!a.text) return InvalidField("text", "is required");
  auto is_public = ParseVisibility(a.visibility, true);
  if (!is_public.ok()) return is_public.error();
  const quick_reply::Draft draft{*a.shortcut, *a.text, is_public.value()};
  if (Status valid = quick_reply::Validate(draft); !valid.ok()) return valid.error();
  const std::string owner = caller.actor().id;

  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  if (const QuickReplyState* existing = model_.QuickReply(id.value())) {
    const bool same = !existing->deleted && existing->owner_id == owner &&
                      existing->shortcut == draft.shortcut && existing->text == draft.text &&
                      existing->is_public == draft.is_public;
    if (!same) {
      return InvalidTransition("quick reply " + id.value() +
                               " already exists with different fields");
    }
    return Unchanged(CommandOutcome::For(ConsistencyToken(), id.value(), false), lock);
  }
  if (auto other = model_.QuickReplyWithShortcut(draft.shortcut, owner, "")) {
    return ShortcutTaken(draft.shortcut, *other);
  }
  auto decided = quick_reply::DecideCreate(QuickReplyState(), id.value(), draft, owner);
  if (!decided.ok()) return decided.error();
  std::vector<NewEvent> events;
  Stage(events, QuickReplyStream(id.value()), std::move(decided).value(), caller.actor(),
        clock_.Now());
  return Commit(std::move(events), CommandOutcome::For(ConsistencyToken(), id.value(), true), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::UpdateQuickReply& a) {
  const std::string& id = a.id;
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  auto changeable = Changeable(model_, caller, id, "change");
  if (!changeable.ok()) return changeable.error();
  const QuickReplyState* q = changeable.value();
  auto is_public = ParseVisibility(a.visibility, q->is_public);
  if (!is_public.ok()) return is_public.error();
  const quick_reply::Draft draft{a.shortcut.value_or(q->shortcut), a.text.value_or(q->text),
                                 is_public.value()};
  if (auto other = model_.QuickReplyWithShortcut(draft.shortcut, q->owner_id, id)) {
    return ShortcutTaken(draft.shortcut, *other);
  }
  auto decided = quick_reply::DecideUpdate(*q, draft);
  if (!decided.ok()) return decided.error();
  if (decided.value().empty()) {
    return Unchanged(CommandOutcome::For(ConsistencyToken(), id, false), lock);
  }
  std::vector<NewEvent> events;
  Stage(events, QuickReplyStream(id), std::move(decided).value(), caller.actor(), clock_.Now());
  return Commit(std::move(events), CommandOutcome::For(ConsistencyToken(), id, false), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::DeleteQuickReply& c) {
  const std::string& id = c.id;
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  auto changeable = Changeable(model_, caller, id, "delete");
  if (!changeable.ok()) return changeable.error();
  auto decided = quick_reply::DecideDelete(*changeable.value());
  if (!decided.ok()) return decided.error();
  std::vector<NewEvent> events;
  Stage(events, QuickReplyStream(id), std::move(decided).value(), caller.actor(), clock_.Now());
  return Commit(std::move(events), CommandOutcome::For(ConsistencyToken(), id, false), lock);
}

}  // namespace helpdesk
