// The conversation as the views keep it: the domain state plus the contact's card, and the two
// encodings stored for it:
//  - cs/<id>: the full state as JSON, read back by the projector to evolve it;
//  - c/<id>:  the API object pre-rendered, so a page of the inbox is a few point reads and
//    string copies. Only `thermometer` depends on the time of the read: the stored value has a
//    small fixed header (status, waiting_since, closed_at) and the JSON without its closing
//    brace; RenderForClient adds the thermometer and closes it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/conversation.h"
#include "domain/report_rules.h"
#include "domain/time.h"

namespace helpdesk {

struct ContactCard {
  std::string id, name, phone, email, stage;
  bool blocked = false;
  std::vector<std::string> opt_ins = {};  // channels the contact opted in on, sorted
  bool erased = false;                    // their personal data is gone (ContactErased)
};
nlohmann::json ContactCardToJson(const ContactCard& c);
ContactCard ContactCardFromJson(const nlohmann::json& j);

struct ConversationView {
  ConversationState state;
  ContactCard contact;
  ReportMarks report;  // what the reports remember between its events
  // The report definition (kReportDefinitionVersion) `report` was counted with; 0 while a
  // rebuild of the reports is under way (its marks then come from the rebuild).
  int report_definition = kReportDefinitionVersion;
  // The linked order (state.order_ref) as the contact has it: {external_id, number, kind,
  // status, url}; null when none is linked.
  nlohmann::json order = nullptr;
};

// What a conversation shows of its linked order, from the order as recorded (ko/), or only its
// external id while the order is not in the views yet.
nlohmann::json OrderLink(const std::string& external_id, const nlohmann::json& order);

// Report marks as stored in cs/<id>.
nlohmann::json ReportMarksToJson(const ReportMarks& marks);
ReportMarks ReportMarksFromJson(const nlohmann::json& j);
// Report marks as a rebuild of the reports leaves them under rm/ (one per conversation: 10
// bytes, written all at once). Unreadable bytes read as no marks.
std::string EncodeReportMarks(const ReportMarks& marks);
ReportMarks DecodeReportMarks(std::string_view bytes);

// The projector's state (cs/<id>) as EncodeAndRender wrote it; nullopt when unreadable.
std::optional<ConversationView> DecodeState(const std::string& bytes);

// The stored rendering (c/<id>).
std::string RenderStored(const ConversationView& v);
// The stored state (cs/<id>) and the stored rendering at once, sharing one JSON tree (a
// projection step writes both).
void EncodeAndRender(const ConversationView& v, std::string* state, std::string* rendered);

// What the fixed header of a stored rendering says.
struct StoredHeader {
  ConversationStatus status;
  std::optional<Timestamp> waiting_since;
  std::optional<Timestamp> closed_at;
};
std::optional<StoredHeader> ReadHeader(const std::string& stored);

// The API object, as JSON text, as seen at `now`. Appends to `out`.
void RenderForClient(const std::string& stored, Timestamp now, std::string& out);
// The same, as a JSON value (for single-object answers and filters).
nlohmann::json ParseForClient(const std::string& stored, Timestamp now);

}  // namespace helpdesk
