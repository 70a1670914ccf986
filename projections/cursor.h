// Page cursors of the lists: the hex of the last key suffix a page returned. Opaque to clients;
// a cursor this server did not make decodes to nullopt (or to a key its list does not have).
#pragma once

#include <optional>
#include <string>

namespace helpdesk {

std::string EncodeCursor(const std::string& raw);
// nullopt unless `cursor` is lower-case hex of even length, at most 1024 characters.
std::optional<std::string> DecodeCursor(const std::string& cursor);

}  // namespace helpdesk
