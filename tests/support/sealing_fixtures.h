// What the tests of contacts' keys seal and open: a fixed wrapping key and a customer's message.
#pragma once

#include <memory>
#include <string>

#include "adapters/secret_box.h"
#include "domain/event.h"

namespace helpdesk::testing {

// The secrets key that wraps contacts' keys in these tests.
inline std::shared_ptr<const SecretBox> TestWrap() {
  return std::make_shared<const SecretBox>(SecretBox::FromKeyText(std::string(64, 'c')).value());
}

// A customer's message whose text is `text` (a field sealed with the contact's key).
inline NewEvent ReceivedText(const std::string& text) {
  NewEvent e;
  e.id = "e1";
  e.stream = "conversation/c1";
  e.type = ev::kMessageReceived;
  e.data = {{"message_id", "m1"}, {"text", text}, {"quoted", ""}, {"external_id", "x"}};
  return e;
}

}  // namespace helpdesk::testing
