// Personal data and its erasure (LGPD/GDPR): which event fields carry a contact's personal data,
// so that each is sealed with that contact's own key before it reaches the log, and what every
// reader shows once the key is destroyed (crypto-shredding: the log keeps its events and its
// hash chain, the data is unreadable).
#pragma once

#include <string>
#include <vector>

namespace helpdesk {

// What a reader sees in place of erased personal data.
inline constexpr const char* kErased = "[erased]";

// The payload fields of events of `type` that hold a contact's personal data (empty: none).
// ContactCreated and ContactUpdated: name, phone, email, and the social profiles and custom
// attributes (objects, sealed whole); notes about a contact; customer messages: text and the quoted
// text; agents' replies to them: text; a conversation's subject. Private notes are the desk's own
// writing and stay in clear (they reach mention notifications).
const std::vector<std::string>& PersonalFields(const std::string& type);

}  // namespace helpdesk
