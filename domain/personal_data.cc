#include "domain/personal_data.h"

#include <map>

#include "domain/event.h"

namespace helpdesk {

const std::vector<std::string>& PersonalFields(const std::string& type) {
  static const std::map<std::string, std::vector<std::string>> kFields{
      {ev::kContactCreated, {"name", "phone", "email", "social", "attributes"}},
      {ev::kContactUpdated, {"name", "phone", "email", "social", "attributes"}},
      {ev::kContactNoteAdded, {"text"}},
      {ev::kMessageReceived, {"text", "quoted"}},
      {ev::kMessageSent, {"text"}},
      {ev::kBlockedMessageReceived, {"text"}},
      {ev::kConversationOpened, {"subject"}},
      {ev::kConversationDetailsChanged, {"subject"}},
  };
  static const std::vector<std::string> kNone;
  auto it = kFields.find(type);
  return it == kFields.end() ? kNone : it->second;
}

}  // namespace helpdesk
