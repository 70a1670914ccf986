#include "domain/json_text.h"

#include <charconv>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "domain/text.h"

namespace helpdesk {
namespace {

// The first index from `i` on whose byte needs a look (a control, '"', '\\' or a non-ASCII
// byte), or s.size(): 16 bytes at a time where SSE2 is there (every x86-64), since payload
// texts are mostly plain.
size_t SkipPlainAscii(std::string_view s, size_t i) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // As signed bytes, non-ASCII ones are negative: below 0x20 covers them and the controls.
    const __m128i look =
        _mm_or_si128(_mm_cmplt_epi8(bytes, space),
                     _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)));
    const int mask = _mm_movemask_epi8(look);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  return i;
}

// Appends `s` quoted, escaped as nlohmann does; false (with `out` part-written) when `s` is not
// well-formed UTF-8.
bool AppendQuoted(std::string& out, std::string_view s) {
  out += '"';
  size_t run = 0;  // start of the bytes not yet appended
  for (size_t i = 0; i < s.size();) {
    i = SkipPlainAscii(s, i);
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const size_t n = Utf8SequenceLength(s, i);
      if (n == 0) return false;
      i += n;
      continue;
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(escaped, sizeof escaped);
      }
    }
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
  return true;
}

template <class Integer>
void AppendInteger(std::string& out, Integer v) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  out.append(digits, static_cast<size_t>(end - digits));
}

// False when a string in `v` is not well-formed UTF-8 (`out` part-written).
bool AppendValue(std::string& out, const nlohmann::json& v) {
  using Type = nlohmann::json::value_t;
  switch (v.type()) {
    case Type::null:
      out += "null";
      return true;
    case Type::boolean:
      out += v.get_ref<const nlohmann::json::boolean_t&>() ? "true" : "false";
      return true;
    case Type::number_integer:
      AppendInteger(out, v.get_ref<const nlohmann::json::number_integer_t&>());
      return true;
    case Type::number_unsigned:
      AppendInteger(out, v.get_ref<const nlohmann::json::number_unsigned_t&>());
      return true;
    case Type::string:
      return AppendQuoted(out, v.get_ref<const std::string&>());
    case Type::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : v.get_ref<const nlohmann::json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        if (!AppendQuoted(out, key)) return false;
        out += ':';
        if (!AppendValue(out, member)) return false;
      }
      out += '}';
      return true;
    }
    case Type::array: {
      out += '[';
      bool first = true;
      for (const nlohmann::json& item : v.get_ref<const nlohmann::json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        if (!AppendValue(out, item)) return false;
      }
      out += ']';
      return true;
    }
    default:
      // Floats (the library's shortest round-trip digits), binary and discarded values are rare
      // in events: the library writes them itself.
      out += v.dump();
      return true;
  }
}

}  // namespace

void AppendJson(std::string& out, const nlohmann::json& value) {
  const size_t before = out.size();
  if (AppendValue(out, value)) return;
  out.resize(before);
  // Not well-formed UTF-8 somewhere: the library's own dump throws the error it always threw.
  out += value.dump();
}

std::string DumpJson(const nlohmann::json& value) {
  std::string out;
  AppendJson(out, value);
  return out;
}

void AppendJsonString(std::string& out, std::string_view s) {
  const size_t before = out.size();
  if (AppendQuoted(out, s)) return;
  out.resize(before);
  out += nlohmann::json(std::string(s)).dump();
}

}  // namespace helpdesk
