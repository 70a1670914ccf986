#include "tests/support/temp_dir.h"

#include <stdlib.h>

#include <filesystem>
#include <system_error>
#include <vector>

namespace helpdesk::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "helpdesk-test-XXXXXX").string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  path_ = mkdtemp(buf.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  std::filesystem::remove(path_ + "/data.log", ec);
}

}  // namespace helpdesk::testing
