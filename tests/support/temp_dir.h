#ifndef CDKV_TESTS_SUPPORT_TEMP_DIR_H_
#define CDKV_TESTS_SUPPORT_TEMP_DIR_H_

#include <filesystem>

#include "absl/status/statusor.h"

namespace cdkv::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it
// when the object is destroyed. Move-only.
class TempDir {
 public:
  static absl::StatusOr<TempDir> Create();

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  void Remove();

  std::filesystem::path path_;
};

}  // namespace cdkv::testing

#endif  // CDKV_TESTS_SUPPORT_TEMP_DIR_H_
