// Small rules about text that several parts of the domain share: UTF-8 well-formedness, ASCII
// case folding and trimming. Pure, byte-oriented, linear.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace helpdesk {

// The length of the well-formed UTF-8 sequence starting at `s[i]` (1 to 4), or 0 when there is
// none there: a stray continuation byte, a cut-short sequence, an overlong form, a surrogate or
// a code point past U+10FFFF.
size_t Utf8SequenceLength(std::string_view s, size_t i);
// Whether all of `s` is well-formed UTF-8.
bool IsUtf8(std::string_view s);

// Whether `s` holds an ASCII control character (below U+0020, or U+007F). Names that become
// parts of view keys (tags, stages) refuse them: a '\0' would end a key's part early.
bool HasControlCharacter(std::string_view s);

// `s` with ASCII letters in lower case (other bytes as they are).
std::string AsciiLower(std::string s);
// `s` without leading and trailing ASCII white space.
std::string Trimmed(std::string_view s);

}  // namespace helpdesk
