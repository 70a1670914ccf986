// WriteModel: the state commands decide on. It holds each stream's record (state_record.h) and
// the lookups commands need to be consistent (contacts by phone/e-mail, inbound messages by
// external id, a contact's conversations on a channel, tokens by digest) — lookups that an
// eventually consistent view could not answer safely.
//
// With a StateStore the records live there, and memory holds:
//   - the directory (users, teams, channels, quick replies, templates, settings): few, read by
//   every
//     request, loaded whole by Reset and never evicted;
//   - every record and lookup changed since the last flush, until a flush has written it;
//   - a cache of clean conversations, contacts and protocol counters, evicted least recently
//     used first beyond `cache_bytes` (sizes estimated from the records' encoding).
// Without a store everything stays in memory (tools, benchmarks, tests).
//
// Applying is idempotent per stream: an event at or below its stream's version is passed over,
// so catching up from the store's offset may read again events the records already hold.
//
// Flushing is in three steps so the caller can wait for the log without holding its lock:
// TakeSnapshot takes what changed (under the lock: a pointer per record, which a later change
// clones before writing, and the changed lookups moved out whole, read from there until
// flushed), WriteSnapshot encodes and commits it (no lock), MarkFlushed lets go of what the
// snapshot wrote and nothing changed since (under the lock). A snapshot never marked flushed
// (its write failed) goes again with the next one.
//
// Pointers returned stay valid until the next Trim, MarkFlushed or Reset, and until the next
// Apply to their stream (a record a snapshot shares is cloned before it changes).
// Not thread-safe (WriteSnapshot aside): CommandService serialises access.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "adapters/consistency_token.h"
#include "adapters/state_store.h"
#include "commands/state_record.h"
#include "domain/event.h"
#include "domain/events.h"

namespace helpdesk {

struct InboundRecord {
  std::string conversation_id, message_id, contact_id;
};

class WriteModel {
 public:
  // Lookup keys and their values; an empty value is a dropped lookup. Ordered: a flush writes
  // them to the store in key order, which RocksDB's memtable inserts quickest (a hash map here
  // made the import no quicker, docs/performance.md).
  using Lookups = std::map<std::string, std::string>;
  // What changed since the last flush.
  struct Snapshot {
    // By stream. Shared, not copied: a record changed after the copy is cloned first (Touch).
    std::vector<std::pair<std::string, std::shared_ptr<const StateRecord>>> records;
    std::vector<uint64_t> record_changes;  // change counters when copied
    std::vector<size_t> record_sizes;      // encoded, by WriteSnapshot
    // Shared with the model, which reads them there until MarkFlushed (null: none).
    std::shared_ptr<const Lookups> lookups;
    uint64_t epoch = 0;
    bool empty() const { return records.empty() && (!lookups || lookups->empty()); }
  };

  // `store` (not owned) keeps the records between runs; null keeps everything in memory.
  // `cache_bytes`: how much of clean records memory may hold.
  explicit WriteModel(StateStore* store = nullptr, size_t cache_bytes = 0);

  // Forgets everything not flushed (all of it without a store) and loads the directory from the
  // store. Call before the first use.
  Status Reset();

  // Applies one recorded event of any stream; false (nothing changes) when its stream already
  // has it.
  bool Apply(const RecordedEvent& e);

  // Null for an unknown or deleted conversation.
  const ConversationState* Conversation(const std::string& id) const;
  const UserState* User(const std::string& id) const;
  const TeamState* Team(const std::string& id) const;
  const ChannelState* Channel(const std::string& id) const;
  const ContactState* Contact(const std::string& id) const;
  const QuickReplyState* QuickReply(const std::string& id) const;
  const TemplateState* Template(const std::string& id) const;
  // A funnel (the built-in default one until an admin redefines it), with its stages' use.
  // Pointers as above; the default one's until the next call of Funnel or AllFunnels.
  const FunnelState* Funnel(const std::string& id) const;
  // Every funnel, by id, the default one included.
  std::vector<const FunnelState*> AllFunnels() const;
  const DealState* Deal(const std::string& id) const;
  // An admin-defined task type (the built-in ones have no record), a task, a task schedule.
  const TaskTypeState* TaskType(const std::string& id) const;
  const TaskState* Task(const std::string& id) const;
  const TaskScheduleState* TaskSchedule(const std::string& id) const;
  // The desk's settings (their defaults before any change); valid as the pointers above.
  const DeskSettingsState& DeskSettings() const;
  // A live quick reply other than `except_id` with this shortcut that `owner_id` would see
  // next to a new one (public ones, and the owner's private ones); its id.
  std::optional<std::string> QuickReplyWithShortcut(const std::string& shortcut,
                                                    const std::string& owner_id,
                                                    const std::string& except_id) const;

  const UserState* UserByTokenDigest(const std::string& sha256) const;
  const ChannelState* ChannelByTokenDigest(const std::string& sha256) const;
  std::optional<std::string> ContactByPhone(const std::string& normalized) const;
  std::optional<std::string> ContactByEmail(const std::string& normalized) const;
  std::optional<InboundRecord> Inbound(const std::string& channel_id,
                                       const std::string& external_id) const;
  // The contact's conversations on a channel, oldest first.
  std::vector<const ConversationState*> ConversationsOf(const std::string& contact_id,
                                                        const std::string& channel_id) const;
  // Every live conversation of the contact, on any channel.
  std::vector<std::string> ConversationIdsOf(const std::string& contact_id) const;
  std::vector<UserState> AllUsers() const;
  // Stream version of any stream (0 when it has no events).
  uint64_t StreamVersion(const std::string& stream) const;
  // The hash of the stream's last event ("" when it has none): the next event chains to it.
  std::string LastHash(const std::string& stream) const;
  // `stream` was just named with an id drawn at random (never one a caller chose): it has no
  // events, and the store is not asked. A stream noted wrongly would be decided as new, and its
  // append refused by the log's version check.
  void NoteNewStream(const std::string& stream) const;

  Snapshot TakeSnapshot();
  // Encodes the snapshot and commits it to `store` with `offset`, in one write.
  static Status WriteSnapshot(StateStore& store, Snapshot& snapshot,
                              const ConsistencyToken& offset);
  void MarkFlushed(const Snapshot& snapshot);
  // Evicts clean records beyond the cache budget.
  void Trim();

  // True when a read of the store failed since the last call: what was decided meanwhile may
  // rest on a record that could not be read.
  bool TakeReadFailure();

  // Every record and lookup (the store's with the unflushed ones over them), as sorted
  // "key=value" lines: a model rebuilt from the same log dumps the same text.
  std::string DumpForComparison() const;

  uint64_t applied_events() const { return applied_; }
  size_t unflushed_records() const { return dirty_.size(); }
  size_t cached_bytes() const { return cached_bytes_; }
  // Lookups of a stream's record outside the directory: found in memory, or read from the store.
  uint64_t cache_hits() const { return cache_hits_; }
  uint64_t store_reads() const { return store_reads_; }

 private:
  struct Slot {
    // Copy on write: a snapshot may share it while a flush writes it out of the lock.
    std::shared_ptr<StateRecord> record;
    bool pinned = false;  // the directory (or everything, without a store): never evicted
    bool dirty = false;   // changed since the last flush
    uint64_t change = 0;  // bumped at each change
    size_t bytes = 0;     // estimated memory, while clean and evictable
    std::list<std::string>::iterator lru;  // while clean and evictable
  };
  // The stream's slot, read from the store on a miss; null when the stream has nothing.
  Slot* Find(const std::string& stream) const;
  // The stream's slot for a change: read or created, and marked changed.
  Slot& Touch(const std::string& stream);
  template <class S>
  const S* StateOf(const std::string& stream) const;
  template <class S>
  S& MutableStateOf(const std::string& stream);
  std::optional<std::string> GetLookup(const std::string& key) const;
  void PutLookup(const std::string& key, std::string value);
  // Inserts a slot read from the store (or created empty).
  Slot& Insert(const std::string& stream, StateRecord record, size_t encoded_size) const;
  void IndexDirectory(const std::string& stream, const StateRecord& record);
  // Counts contacts and deals in and out of funnel stages (FunnelState::in_use), before `slot`,
  // the event's own stream, evolves.
  void CountStageUse(const std::optional<events::Event>& event, const Slot& slot);
  void AddStageUse(const std::string& funnel_id, const std::string& stage_id, int64_t delta);
  void ReadFailed(const Error& error) const;

  StateStore* store_;
  size_t cache_bytes_;
  // The cache is filled by reads: mutable so lookups stay const for callers.
  mutable std::unordered_map<std::string, Slot> slots_;  // by stream
  mutable std::list<std::string> lru_;                   // clean evictable slots, most recent first
  mutable size_t cached_bytes_ = 0;
  mutable uint64_t cache_hits_ = 0, store_reads_ = 0;
  mutable bool read_failed_ = false;
  // Records (by stream) and lookups (by key) the store was asked for and does not hold, and
  // nothing set since: a new contact's record, phone and e-mail are each asked for several
  // times while its first command is decided and applied, and each miss is a RocksDB read.
  // Forgotten whole past kAbsentKeys: they matter only for a moment.
  static constexpr size_t kAbsentKeys = 4096;
  mutable std::unordered_set<std::string> absent_records_, absent_lookups_;
  std::vector<std::string> dirty_;  // streams of dirty slots
  // Lookups changed since the last snapshot (all of them without a store), and those of the
  // snapshot being flushed (read after lookups_, before the store).
  Lookups lookups_;
  std::shared_ptr<const Lookups> flushing_lookups_;
  std::set<std::string> user_ids_, quick_reply_ids_, channel_ids_,
      funnel_ids_;                      // listed directory streams
  mutable FunnelState default_funnel_;  // Funnel("default") before it was redefined
  std::unordered_map<std::string, std::string> user_by_token_, channel_by_token_;
  uint64_t changes_ = 0;
  uint64_t epoch_ = 0;  // bumped by Reset: a snapshot from before it is not marked
  uint64_t applied_ = 0;
};

}  // namespace helpdesk
