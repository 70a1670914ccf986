// AttachmentStore: the bytes of attachments, content-addressed on disk. A file is named by its
// SHA-256, so storing the same bytes twice keeps one copy and a reference can never point at
// changed content. Layout under the root: <sha[0:2]>/<sha> (the bytes) and <sha>.json (the
// content type, size and the name of an upload of them: the first, or one of several racing).
//
// Durable when Put returns: written to a temp file, fsynced, renamed into place, directory
// fsynced. Thread-safe: concurrent Puts of the same bytes write the same file.
//
// On a cluster each node has its own store under its --data; point --attachments at a shared
// volume so that every node serves every upload (docs/operations.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "domain/result.h"

namespace helpdesk {

struct AttachmentInfo {
  std::string sha256;
  std::string content_type;
  std::string name;
  uint64_t size = 0;
};

class AttachmentStore {
 public:
  // Creates `root` if missing.
  static Result<std::unique_ptr<AttachmentStore>> Open(const std::string& root);

  // Stores `bytes`; the type and name are recorded for the first upload of these bytes only.
  Result<AttachmentInfo> Put(std::string_view bytes, const std::string& content_type,
                             const std::string& name) const;
  // What is stored under `sha256`; kNotFound when nothing is.
  Result<AttachmentInfo> Info(const std::string& sha256) const;
  // The bytes stored under `sha256`.
  Result<std::string> Read(const std::string& sha256) const;

 private:
  explicit AttachmentStore(std::string root) : root_(std::move(root)) {}
  std::string PathOf(const std::string& sha256) const;
  const std::string root_;
};

}  // namespace helpdesk
