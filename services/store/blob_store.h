#ifndef CDKV_SERVICES_STORE_BLOB_STORE_H_
#define CDKV_SERVICES_STORE_BLOB_STORE_H_

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cdkv::store {

// Lowercase hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// True for exactly 64 lowercase hex digits: the only names Get and Exists
// will turn into paths, which rules out traversal like "../../etc/passwd".
bool IsValidBlobHash(std::string_view hash);

// Content-addressed files (citizens' photos) under
// `<root>/<h[0:2]>/<h[2:4]>/<h>`. A Put that returns OK is durable: the file
// and the directory entries leading to it are fsynced. Writes go to a temp
// file that is renamed into place, so readers never see a partial blob; a
// crash can leave a `.tmp-*` file behind, which is garbage, never data.
// Safe to use from several threads and processes at once: identical content
// always lands on identical bytes at the same path.
class BlobStore {
 public:
  static constexpr size_t kDefaultMaxBlobBytes = 25 * 1024 * 1024;

  // Creates `root` if needed.
  static absl::StatusOr<BlobStore> Open(const std::filesystem::path& root,
                                        size_t max_blob_bytes);
  static absl::StatusOr<BlobStore> Open(const std::filesystem::path& root) {
    return Open(root, kDefaultMaxBlobBytes);
  }

  // Stores `bytes` and returns their hash. Idempotent; a stored copy that
  // has been corrupted on disk is replaced. INVALID_ARGUMENT if larger than
  // the cap.
  absl::StatusOr<std::string> Put(std::string_view bytes) const;
  // NOT_FOUND if absent; DATA_LOSS if the file no longer matches its hash.
  absl::StatusOr<std::string> Get(std::string_view hash) const;
  // Presence only; the content is verified by Get.
  absl::StatusOr<bool> Exists(std::string_view hash) const;
  // Deletes temp files left by crashed Puts that are older than `min_age`
  // (old enough that no Put can still be writing them); returns how many.
  absl::StatusOr<int> RemoveStaleTempFiles(absl::Duration min_age) const;

  // Where `hash` lives; the caller must have validated it.
  std::filesystem::path PathFor(std::string_view hash) const;
  const std::filesystem::path& root() const { return root_; }

 private:
  BlobStore(std::filesystem::path root, size_t max_blob_bytes)
      : root_(std::move(root)), max_blob_bytes_(max_blob_bytes) {}
  absl::Status WriteDurably(const std::filesystem::path& final_path,
                            std::string_view bytes) const;

  std::filesystem::path root_;
  size_t max_blob_bytes_;
};

}  // namespace cdkv::store

#endif  // CDKV_SERVICES_STORE_BLOB_STORE_H_
