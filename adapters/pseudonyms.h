// Pseudonyms: what analysts read in place of contacts' personal data and private notes' text.
// The same value always gets the same pseudonym ("anon:" and 16 hex characters of an HMAC-SHA256
// under a key derived from the secrets key), on every node and in every export, so analysts can
// count, group and join without reading. "[erased]" stays as it is.
#pragma once

#include <string>

#include "domain/event.h"

namespace helpdesk {

class Pseudonymizer {
 public:
  // `key`: secret bytes (SecretBox::Derive gives one every node shares).
  explicit Pseudonymizer(std::string key) : key_(std::move(key)) {}

  // The pseudonym of `value`; "" and "[erased]" stay as they are.
  std::string Of(const std::string& value) const;
  // Replaces `e`'s personal fields (domain/personal_data.h) and a private note's text.
  void Apply(NewEvent& e) const;

 private:
  std::string key_;
};

}  // namespace helpdesk
