// libFuzzer target: a request body as every route reads it (Body::Parse, then its field readers)
// and the If-Match header. Bounded: nesting past 32 levels is refused before parsing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/json_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto body = helpdesk::Body::Parse(text);
  if (body.ok()) {
    helpdesk::Body& b = body.value();
    b.OptString("text");
    b.String("id");
    b.NonEmptyString("name");
    b.OptBool("internal", false);
    b.OptNumber("value");
    b.OptStringArray("tags");
    b.OptObject("from");
    b.OptArray("attachments");
    b.UnknownField({"text", "id", "name"});
  }
  helpdesk::HttpRequest request;
  request.headers["if-match"] = text.substr(0, 64);
  (void)helpdesk::ReadIfMatch(request);
  return 0;
}
