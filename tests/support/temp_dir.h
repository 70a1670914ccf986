// A fresh folder under the system's temp dir, removed with everything in it when it goes.
#pragma once

#include <string>

namespace helpdesk::testing {

// A fresh empty folder under the system's temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace helpdesk::testing
