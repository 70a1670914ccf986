#include "adapters/env.h"

#include <cstdio>

#include "adapters/random_ids.h"

namespace helpdesk {

std::string RandomIds::NewId() { return helpdesk::NewId(); }

std::string SequentialIds::NewId() {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%06llu", static_cast<unsigned long long>(next_++));
  return prefix_ + digits;
}

Env Env::System() {
  static const SystemClock* clock = new SystemClock();
  static RandomIds* ids = new RandomIds();
  return Env{*clock, *ids};
}

}  // namespace helpdesk
