// libFuzzer target: a WhatsApp Cloud API webhook body, read as the webhook route reads it once
// its signature matched (bounded JSON, then the messages in it).
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/json_io.h"
#include "domain/whatsapp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto body = helpdesk::ParseJsonText(text);
  if (body.ok()) (void)helpdesk::ParseWhatsAppWebhook(body.value());
  return 0;
}
