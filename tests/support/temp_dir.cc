#include "tests/support/temp_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cdkv::testing {

absl::StatusOr<TempDir> TempDir::Create() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = absl::StrCat(
      base != nullptr && *base != '\0' ? base : "/tmp", "/cdkv-test-XXXXXX");
  if (::mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp(", templ,
                                            ") failed: ", std::strerror(errno),
                                            "; is TMPDIR writable?"));
  }
  return TempDir(std::filesystem::path(templ));
}

TempDir::TempDir(TempDir&& other) noexcept
    : path_(std::exchange(other.path_, {})) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

TempDir::~TempDir() { Remove(); }

void TempDir::Remove() {
  if (path_.empty()) return;
  std::error_code ignored;  // Best effort: a destructor cannot report.
  std::filesystem::remove_all(path_, ignored);
  path_.clear();
}

}  // namespace cdkv::testing
