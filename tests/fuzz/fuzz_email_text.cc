// libFuzzer target: an inbound e-mail's text split from its quoted history, and its HTML made
// markdown. Both must stay linear in the input, whatever its nesting or its tags.
#include <cstddef>
#include <cstdint>
#include <string>

#include "domain/email_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  helpdesk::SplitQuotedEmail(text);
  helpdesk::HtmlToMarkdown(text);
  return 0;
}
