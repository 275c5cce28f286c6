// A writer process is SIGKILLed mid-stream; everything it was told was
// stored must still be there and intact. (Power loss cannot be simulated
// here; this covers process crashes.)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/store/blob_store.h"
#include "services/store/sqlite.h"
#include "tests/support/temp_dir.h"

namespace cdkv::store {
namespace {

using ::cdkv::testing::TempDir;

// Forks a child that runs `work(report)` forever, where `report` tells the
// parent (through a pipe) that an item was acknowledged. The parent kills
// the child with SIGKILL after `acks_before_kill` acknowledgements and
// returns every acknowledged item.
template <typename Work>
std::vector<std::string> RunAndKill(Work work, size_t acks_before_kill) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    FILE* out = ::fdopen(fds[1], "w");
    auto report = [out](const std::string& item) {
      std::fprintf(out, "%s\n", item.c_str());
      std::fflush(out);
    };
    work(report);
    ::_exit(1);  // work() loops forever; reaching here is a failure.
  }
  ::close(fds[1]);
  FILE* in = ::fdopen(fds[0], "r");
  std::vector<std::string> acked;
  char line[256];
  bool killed = false;
  while (std::fgets(line, sizeof(line), in) != nullptr) {
    std::string item(line);
    if (!item.empty() && item.back() == '\n') item.pop_back();
    acked.push_back(item);
    if (!killed && acked.size() >= acks_before_kill) {
      ::kill(pid, SIGKILL);
      killed = true;  // Keep reading what was reported before the kill.
    }
  }
  std::fclose(in);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  return acked;
}

TEST_CASE("Blobs acknowledged before a kill -9 are intact") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  std::filesystem::path root = dir->path() / "blobs";
  std::vector<std::string> acked = RunAndKill(
      [&](auto report) {
        auto store = BlobStore::Open(root);
        if (!store.ok()) ::_exit(2);
        for (int i = 0;; ++i) {
          auto hash = store->Put(std::string(64 * 1024 + i, 'a' + i % 26));
          if (!hash.ok()) ::_exit(3);
          report(*hash);
        }
      },
      /*acks_before_kill=*/30);
  REQUIRE(acked.size() >= 30);

  auto store = BlobStore::Open(root);
  REQUIRE(store.ok());
  for (const std::string& hash : acked) {
    INFO(hash);
    CHECK(store->Get(hash).ok());
  }
  // Whatever reached a final name is whole; a torn write can only be a
  // temp file, which cleanup removes.
  REQUIRE(store->RemoveStaleTempFiles(absl::ZeroDuration()).ok());
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(store->root())) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    INFO(name);
    REQUIRE(IsValidBlobHash(name));
    CHECK(store->Get(name).ok());
  }
}

TEST_CASE("Rows committed before a kill -9 survive") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  std::string path = (dir->path() / "t.db").string();
  {
    auto db = Database::Open(path);
    REQUIRE(db.ok());
    REQUIRE(
        db->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB)").ok());
  }
  std::vector<std::string> acked = RunAndKill(
      [&](auto report) {
        auto db = Database::Open(path);
        if (!db.ok()) ::_exit(2);
        auto insert = db->Prepare("INSERT INTO t (id, payload) VALUES (?, ?)");
        if (!insert.ok()) ::_exit(3);
        for (int64_t id = 1;; ++id) {
          auto tx = Transaction::Begin(*db);
          if (!tx.ok() || !insert->BindInt64(1, id).ok() ||
              !insert->BindBlob(2, std::string(4096, 'x')).ok() ||
              !insert->Run().ok() || !insert->Reset().ok() ||
              !tx->Commit().ok()) {
            ::_exit(4);
          }
          report(absl::StrCat(id));
        }
      },
      /*acks_before_kill=*/200);
  REQUIRE(acked.size() >= 200);

  auto db = Database::Open(path);
  REQUIRE(db.ok());
  auto check = db->Prepare("PRAGMA integrity_check");
  REQUIRE(check.ok());
  REQUIRE(*check->Step());
  CHECK(check->ColumnText(0) == "ok");
  auto max = db->Prepare("SELECT count(*), max(id) FROM t");
  REQUIRE(max.ok());
  REQUIRE(*max->Step());
  // Ids are consecutive from 1, so count == max proves no gaps.
  CHECK(max->ColumnInt64(0) == max->ColumnInt64(1));
  CHECK(max->ColumnInt64(1) >= std::stoll(acked.back()));
}

}  // namespace
}  // namespace cdkv::store
