// The views' key space: every prefix a projector writes under, in one place. A view store is one
// RocksDB database; each view is the set of keys under its prefix. Changing what a prefix holds
// is a new views version (view_store.cc), which rebuilds the views from the log.
#pragma once

namespace helpdesk::view_keys {

// Conversations.
inline constexpr char kConversation[] = "c/";  // c/<id>: the rendered conversation (JSON)
inline constexpr char kConversationState[] =
    "cs/";                                  // cs/<id>: its state, as the projector keeps it
inline constexpr char kMessages[] = "m/";   // m/<id>/<be64 position>: a message
inline constexpr char kTimeline[] = "tl/";  // tl/<id>/<be64 position>: a timeline item
inline constexpr char kMessageByPosition[] = "md/";  // md/<id>/<message id>: its m/ key
inline constexpr char kDeliveryQueue[] = "dq/";      // dq/<id>/<message id>: awaiting delivery
inline constexpr char kInbox[] = "i/";    // i/<scope>\0<column><be64 sort><id> (inbox_index.h)
inline constexpr char kWakeDue[] = "d/";  // d/<be64 until ms><id>: postponed until
inline constexpr char kNotifications[] = "nt/";            // nt/<user>/<notification id>
inline constexpr char kProtocolOf[] = "pr/";               // pr/<conversation id>: its protocol
inline constexpr char kConversationOfProtocol[] = "prn/";  // prn/<protocol>: its conversation

// Directory.
inline constexpr char kUser[] = "u/";                   // u/<id>
inline constexpr char kUserToken[] = "ut/";             // ut/<user>/<token id> (no digest)
inline constexpr char kTeam[] = "t/";                   // t/<id>
inline constexpr char kChannel[] = "ch/";               // ch/<id> (no secrets)
inline constexpr char kContact[] = "k/";                // k/<id>: the contact's card
inline constexpr char kContactConversations[] = "kc/";  // kc/<contact>/<conversation>
// kw/<contact>: a conversation of the contact was read before the contact (a partitioned log):
// its creation copies its card to the conversations found then.
inline constexpr char kContactCardAwaited[] = "kw/";
inline constexpr char kContactNotes[] = "kno/";  // kno/<contact>/<be64 ms><be64 position>
// knn/<contact>/<notification key>: the mentions its notes made (scrubbed with it).
inline constexpr char kContactNoteNotifications[] = "knn/";
// kx/<scope>\0<sort><sort key>: the contact lists (contact_list.h); kn/<scope>: their sizes.
inline constexpr char kContactList[] = "kx/";
inline constexpr char kContactCount[] = "kn/";
// kt/<contact>/<be64 ms><be64 position>: the contact's timeline: its own events' items, and for
// its conversations' events the tl/ key of their item.
inline constexpr char kContactTimeline[] = "kt/";
inline constexpr char kContactOrders[] = "ko/";      // ko/<contact>/<external id>: an order
inline constexpr char kContactAttribute[] = "ka/";   // ka/<key>: an attribute's definition
inline constexpr char kContactImport[] = "ki/";      // ki/<import id>: its progress
inline constexpr char kTagUse[] = "tg/";             // tg/<tag>: its last use (tag_catalog.h)
inline constexpr char kTemplate[] = "tpl/";          // tpl/<channel>/<id>
inline constexpr char kQuickReply[] = "qr/";         // qr/<id>
inline constexpr char kDeskSettings[] = "set/desk";  // the desk's settings

// Funnels and deals (funnel_projector.h).
inline constexpr char kFunnel[] = "fn/";      // fn/<id>: a funnel an admin defined
inline constexpr char kDeal[] = "dl/";        // dl/<id>: the deal as the API shows it
inline constexpr char kDealList[] = "dx/";    // dx/<scope>\0<be64 ~created ms><id>: the lists
inline constexpr char kDealCount[] = "dn/";   // dn/<scope>: their sizes
inline constexpr char kBoardStage[] = "fb/";  // fb/<funnel>\0<stage>: deals, value, contacts
// fe/<funnel>\0<stage>\0<be64 entered ms><d|c><id>: who stands in a stage, oldest first.
inline constexpr char kBoardEntry[] = "fe/";
inline constexpr char kBoardMember[] = "fm/";  // fm/<d|c>/<id>: where a deal or contact stands
// fh/<funnel>\0<stage>\0<be64 ms><be64 position>: a stage's board after each change (as_of).
inline constexpr char kBoardHistory[] = "fh/";
// fr/<funnel>\0<s|d><be64 slot or day>: the funnel report's cells.
inline constexpr char kFunnelReport[] = "fr/";

// Tasks (task_projector.h).
inline constexpr char kTaskType[] = "tty/";      // tty/<id>: an admin-defined task type
inline constexpr char kTask[] = "tk/";           // tk/<id>: the task as the API shows it
inline constexpr char kTaskList[] = "tx/";       // tx/<scope>|<status>\0<d|c><be64 sort><id>
inline constexpr char kTaskCount[] = "tn/";      // tn/<scope>|<status>: their sizes
inline constexpr char kTaskReminder[] = "trm/";  // trm/<be64 ms><id>: the next reminder
// trs/<id>: the due dates its reminders went out for ({"soon", "overdue"}: RFC 3339).
inline constexpr char kTaskRemindersSent[] = "trs/";
inline constexpr char kContactTasks[] = "ktk/";  // ktk/<contact>/<id>: the contact's tasks
inline constexpr char kTaskSchedule[] = "tsc/";  // tsc/<id>: a task schedule
inline constexpr char kTaskReport[] = "trp/";    // trp/<s|d><be64 slot or day>\0<measure>

// Reports.
inline constexpr char kReportCell[] = "r/";  // r/<section><grain><filter><slot> (report_cells.h)
// rm/<conversation>: its report marks as a rebuild of the reports left them, until its next
// event (ConversationProjector adopts them then; report_rebuild.h).
inline constexpr char kRebuiltReportMarks[] = "rm/";

// The store's own bookkeeping (view_store.cc).
inline constexpr char kMeta[] = "meta/";

}  // namespace helpdesk::view_keys
