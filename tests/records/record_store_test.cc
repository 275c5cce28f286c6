// RecordStore's group commit: concurrent writers share transactions, a
// failing body is rolled back alone, a failed COMMIT fails its whole batch,
// reads run beside the writer, and a kill -9 loses nothing acknowledged.
#include "services/records/record_store.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "services/store/sqlite.h"
#include "tests/support/temp_dir.h"

namespace cdkv::records {
namespace {

using ::cdkv::testing::TempDir;

struct Fixture {
  Fixture() {
    auto made = TempDir::Create();
    REQUIRE(made.ok());
    dir.emplace(*std::move(made));
    path = (dir->path() / "records.db").string();
    auto opened = RecordStore::Open(path);
    REQUIRE(opened.ok());
    store = *std::move(opened);
  }
  std::optional<TempDir> dir;
  std::string path;
  std::unique_ptr<RecordStore> store;
};

absl::Status AddRow(Tx& tx, const std::string& payload) {
  return tx.AddOutbox("test", payload, absl::Now());
}

// Every committed payload, by reading the store.
std::multiset<std::string> Payloads(RecordStore& store) {
  std::multiset<std::string> out;
  REQUIRE(store
              .Read([&](Tx& tx) -> absl::Status {
                auto rows = tx.PendingOutbox(1'000'000);
                if (!rows.ok()) return rows.status();
                for (const OutboxRow& row : *rows) out.insert(row.payload);
                return absl::OkStatus();
              })
              .ok());
  return out;
}

FilingRow Filing(const std::string& id) {
  FilingRow f;
  f.id = id;
  f.procedure_code = "p";
  f.commune_code = "c";
  f.desk_code = "d";
  f.competent_desk = "d";
  f.citizen_id = "citizen";
  f.created_at = absl::Now();
  return f;
}

// Starts `body` on a thread that calls Write and stores its result.
struct Writer {
  std::thread thread;
  absl::Status status = absl::UnknownError("not run");
};

TEST_CASE("many concurrent writers all commit, in fewer transactions") {
  Fixture f;
  constexpr int kThreads = 8;
  constexpr int kEach = 150;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        absl::Status s = f.store->Write(
            [&](Tx& tx) { return AddRow(tx, absl::StrCat(t, "/", i)); });
        if (!s.ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  std::multiset<std::string> rows = Payloads(*f.store);
  CHECK(rows.size() == kThreads * kEach);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      CHECK(rows.count(absl::StrCat(t, "/", i)) == 1);
    }
  }
  const RecordStore::Stats stats = f.store->stats();
  CHECK(stats.writes == kThreads * kEach);
  // Eight writers on two cores queue behind every fsync: batches form.
  CHECK(stats.commits < stats.writes);
  INFO("commits " << stats.commits << " for " << stats.writes << " writes");
}

// Holds the writer inside a first body until others queue behind it, so the
// bodies that follow join its batch.
struct HeldBatch {
  absl::Notification entered;
  absl::Notification release;
  Writer first;

  void Start(RecordStore& store, std::string payload) {
    first.thread = std::thread([&, payload] {
      first.status = store.Write([&](Tx& tx) -> absl::Status {
        if (absl::Status s = AddRow(tx, payload); !s.ok()) return s;
        entered.Notify();
        release.WaitForNotification();
        return absl::OkStatus();
      });
    });
    entered.WaitForNotification();
  }
};

TEST_CASE("a failing body is rolled back alone, its batch commits") {
  Fixture f;
  REQUIRE(f.store->Write([](Tx& tx) { return tx.InsertFiling(Filing("F1")); })
              .ok());
  const int64_t commits_before = f.store->stats().commits;

  HeldBatch held;
  held.Start(*f.store, "first");
  Writer failing, second;
  failing.thread = std::thread([&] {
    failing.status = f.store->Write([](Tx& tx) -> absl::Status {
      if (absl::Status s = AddRow(tx, "failing"); !s.ok()) return s;
      return tx.InsertFiling(Filing("F1"));  // Duplicate key: a SQL error.
    });
  });
  second.thread = std::thread([&] {
    second.status = f.store->Write([](Tx& tx) -> absl::Status {
      if (absl::Status s = AddRow(tx, "second"); !s.ok()) return s;
      return tx.InsertFiling(Filing("F2"));
    });
  });
  absl::SleepFor(absl::Milliseconds(300));  // Both now wait for the writer.
  held.release.Notify();
  for (Writer* w : {&held.first, &failing, &second}) w->thread.join();

  CHECK(held.first.status.ok());
  CHECK(absl::IsAlreadyExists(failing.status));
  CHECK(second.status.ok());
  CHECK(Payloads(*f.store) == std::multiset<std::string>{"first", "second"});
  CHECK(f.store->Read([](Tx& tx) { return tx.GetFiling("F2").status(); }).ok());
  CHECK(f.store->stats().commits == commits_before + 1);
}

TEST_CASE("a failed COMMIT fails every writer of its batch, nothing stored") {
  Fixture f;
  {
    // A deferred foreign key is checked only at COMMIT: a "poison" outbox
    // row makes its whole transaction's COMMIT fail.
    auto db = store::Database::Open(f.path);
    REQUIRE(db.ok());
    REQUIRE(db->Exec(R"sql(
      CREATE TABLE parent(id INTEGER PRIMARY KEY);
      CREATE TABLE child(parent_id INTEGER
        REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
      CREATE TRIGGER poison AFTER INSERT ON outbox WHEN NEW.payload = 'poison'
      BEGIN INSERT INTO child VALUES (42); END;)sql")
                .ok());
  }
  HeldBatch held;
  held.Start(*f.store, "innocent");
  Writer poison;
  poison.thread = std::thread([&] {
    poison.status = f.store->Write([](Tx& tx) { return AddRow(tx, "poison"); });
  });
  absl::SleepFor(absl::Milliseconds(300));
  held.release.Notify();
  held.first.thread.join();
  poison.thread.join();

  INFO(held.first.status << " / " << poison.status);
  CHECK(!held.first.status.ok());
  CHECK(!poison.status.ok());
  CHECK(Payloads(*f.store).empty());
  // The writer connection is usable again.
  CHECK(f.store->Write([](Tx& tx) { return AddRow(tx, "after"); }).ok());
  CHECK(Payloads(*f.store) == std::multiset<std::string>{"after"});
}

TEST_CASE("reads run beside an open batch and never see it uncommitted") {
  Fixture f;
  REQUIRE(f.store->Write([](Tx& tx) { return AddRow(tx, "old"); }).ok());
  HeldBatch held;
  held.Start(*f.store, "new");
  // The writer is busy inside a body; a read must neither wait for it nor
  // see its row.
  const absl::Time start = absl::Now();
  CHECK(Payloads(*f.store) == std::multiset<std::string>{"old"});
  CHECK(absl::Now() - start < absl::Seconds(1));
  held.release.Notify();
  held.first.thread.join();
  REQUIRE(held.first.status.ok());
  // Acknowledged means visible to the next read.
  CHECK(Payloads(*f.store) == std::multiset<std::string>{"new", "old"});
}

TEST_CASE("the next batch runs while one syncs, nobody sees it before") {
  auto made = TempDir::Create();
  REQUIRE(made.ok());
  const std::string path = (made->path() / "records.db").string();
  // The first batch to sync stops before its fsync until released.
  absl::Notification syncing, release;
  std::atomic<int> syncs{0};
  RecordStore::Options options;
  options.before_sync = [&] {
    if (syncs.fetch_add(1) == 0) {
      syncing.Notify();
      release.WaitForNotification();
    }
  };
  auto opened = RecordStore::Open(path, options);
  REQUIRE(opened.ok());
  RecordStore& store = **opened;

  Writer first;
  first.thread = std::thread([&] {
    first.status = store.Write([](Tx& tx) { return AddRow(tx, "first"); });
  });
  REQUIRE(syncing.WaitForNotificationWithTimeout(absl::Seconds(10)));

  // While the first batch is committed but not yet synced: a second writer's
  // body runs (the writer connection is free), but it is not acknowledged
  // before the first batch is durable, and a read waits rather than see it.
  absl::Notification second_ran;
  Writer second;
  second.thread = std::thread([&] {
    second.status = store.Write([&](Tx& tx) {
      second_ran.Notify();
      return AddRow(tx, "second");
    });
  });
  CHECK(second_ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  std::atomic<bool> read_done{false};
  std::multiset<std::string> seen;
  std::thread reader([&] {
    seen = Payloads(store);
    read_done = true;
  });
  absl::SleepFor(absl::Milliseconds(200));
  CHECK_FALSE(read_done.load());
  CHECK(first.status.code() == absl::StatusCode::kUnknown);  // Not returned.
  CHECK(second.status.code() == absl::StatusCode::kUnknown);

  release.Notify();
  first.thread.join();
  second.thread.join();
  reader.join();
  CHECK(first.status.ok());
  CHECK(second.status.ok());
  // The read ran after the first batch's sync: it saw that batch.
  CHECK(seen.count("first") == 1);
  CHECK(Payloads(store) == std::multiset<std::string>{"first", "second"});
  CHECK(store.stats().commits == syncs.load());
}

TEST_CASE("a long read does not hold up a commit, and keeps its snapshot") {
  Fixture f;
  REQUIRE(f.store->Write([](Tx& tx) { return AddRow(tx, "old"); }).ok());
  absl::Notification reading, written;
  std::multiset<std::string> before, after;
  std::thread reader([&] {
    REQUIRE(f.store
                ->Read([&](Tx& tx) -> absl::Status {
                  auto rows = tx.PendingOutbox(100);
                  if (!rows.ok()) return rows.status();
                  for (const OutboxRow& row : *rows) before.insert(row.payload);
                  reading.Notify();
                  // Still inside the read while a write commits and syncs.
                  written.WaitForNotification();
                  rows = tx.PendingOutbox(100);
                  if (!rows.ok()) return rows.status();
                  for (const OutboxRow& row : *rows) after.insert(row.payload);
                  return absl::OkStatus();
                })
                .ok());
  });
  REQUIRE(reading.WaitForNotificationWithTimeout(absl::Seconds(10)));
  // The write is acknowledged (durable) while the read is still open.
  Writer writer;
  writer.thread = std::thread([&] {
    writer.status = f.store->Write([](Tx& tx) { return AddRow(tx, "new"); });
  });
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (writer.status.code() == absl::StatusCode::kUnknown &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  const bool acknowledged_during_read = writer.status.ok();
  written.Notify();
  writer.thread.join();
  reader.join();
  CHECK(acknowledged_during_read);
  // The read saw one snapshot from start to end.
  CHECK(before == std::multiset<std::string>{"old"});
  CHECK(after == before);
  CHECK(Payloads(*f.store) == std::multiset<std::string>{"new", "old"});
}

TEST_CASE("the log is copied back by the checkpointer, not in a commit") {
  Fixture f;
  // 3,000 commits of a row filling most of a page each: without a
  // checkpoint the log would hold 6,000 pages (the row's and the table's
  // root), and the checkpointer lets it reach 4,000 at most before it holds
  // writers back.
  const std::string filler(3000, 'x');
  for (int i = 0; i < 3000; ++i) {
    REQUIRE(f.store
                ->Write([&](Tx& tx) {
                  return AddRow(tx, absl::StrCat(i, "-", filler));
                })
                .ok());
  }
  // Reused from its start after each checkpoint (SQLite never shrinks it).
  constexpr uintmax_t kFrameBytes = 4096 + 24;
  CHECK(std::filesystem::file_size(f.path + "-wal") <= 4500 * kFrameBytes);
  CHECK(f.store->stats().checkpoints > 0);
  CHECK(Payloads(*f.store).size() == 3000);
}

TEST_CASE("acknowledged rows are in the -wal file that the store syncs") {
  Fixture f;
  REQUIRE(
      f.store->Write([](Tx& tx) { return AddRow(tx, "marker-4711"); }).ok());
  // COMMIT appended to the log (synchronous=NORMAL) and WalSync fsynced it;
  // the log exists beside the database and holds the row.
  const std::filesystem::path wal = f.path + "-wal";
  REQUIRE(std::filesystem::exists(wal));
  CHECK(std::filesystem::file_size(wal) > 0);
  std::FILE* file = std::fopen(wal.c_str(), "rb");
  REQUIRE(file != nullptr);
  std::string bytes(std::filesystem::file_size(wal), '\0');
  CHECK(std::fread(bytes.data(), 1, bytes.size(), file) == bytes.size());
  std::fclose(file);
  CHECK(bytes.find("marker-4711") != std::string::npos);
}

TEST_CASE("readers refuse to write") {
  Fixture f;
  absl::Status s = f.store->Read([](Tx& tx) { return AddRow(tx, "x"); });
  CHECK(!s.ok());
  CHECK(Payloads(*f.store).empty());
}

TEST_CASE("an in-memory store still writes and reads") {
  auto store = RecordStore::Open(":memory:");
  REQUIRE(store.ok());
  REQUIRE((*store)->Write([](Tx& tx) { return AddRow(tx, "m"); }).ok());
  CHECK(Payloads(**store) == std::multiset<std::string>{"m"});
}

TEST_CASE("an in-memory store reads and writes from many threads at once") {
  auto store = RecordStore::Open(":memory:");
  REQUIRE(store.ok());
  std::atomic<int> failed_writes{0}, failed_reads{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (!(*store)
                 ->Write([&](Tx& tx) {
                   return AddRow(tx, absl::StrCat(t, "-", i));
                 })
                 .ok()) {
          ++failed_writes;
        }
      }
    });
  }
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        // Reads share the writer connection: never inside an open batch.
        absl::Status s = (*store)->Read([](Tx& tx) -> absl::Status {
          return tx.PendingOutbox(10).status();
        });
        if (!s.ok()) ++failed_reads;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failed_writes.load() == 0);
  CHECK(failed_reads.load() == 0);
  CHECK(Payloads(**store).size() == 400);
}

TEST_CASE("group-committed writes acknowledged before a kill -9 survive") {
  Fixture f;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const std::string path = f.path;
  f.store.reset();
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    FILE* out = ::fdopen(fds[1], "w");
    auto store = RecordStore::Open(path);
    if (!store.ok()) ::_exit(2);
    std::mutex out_mu;
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0;; ++i) {
          const std::string payload = absl::StrCat(t, "/", i);
          if (!(*store)
                   ->Write([&](Tx& tx) { return AddRow(tx, payload); })
                   .ok()) {
            ::_exit(3);
          }
          std::lock_guard<std::mutex> lock(out_mu);
          std::fprintf(out, "%s\n", payload.c_str());
          std::fflush(out);
        }
      });
    }
    for (auto& thread : threads) thread.join();
    ::_exit(1);
  }
  ::close(fds[1]);
  FILE* in = ::fdopen(fds[0], "r");
  std::vector<std::string> acked;
  char line[64];
  bool killed = false;
  while (std::fgets(line, sizeof(line), in) != nullptr) {
    std::string item(line);
    if (!item.empty() && item.back() == '\n') item.pop_back();
    acked.push_back(item);
    if (!killed && acked.size() >= 600) {
      ::kill(pid, SIGKILL);
      killed = true;  // Keep reading what was acknowledged before the kill.
    }
  }
  std::fclose(in);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(acked.size() >= 600);

  auto store = RecordStore::Open(path);
  REQUIRE(store.ok());
  std::multiset<std::string> rows = Payloads(**store);
  for (const std::string& payload : acked) {
    INFO(payload);
    CHECK(rows.count(payload) == 1);
  }
  auto db = store::Database::Open(path);
  REQUIRE(db.ok());
  auto check = db->Prepare("PRAGMA integrity_check");
  REQUIRE(check.ok());
  REQUIRE(*check->Step());
  CHECK(check->ColumnText(0) == "ok");
}

}  // namespace
}  // namespace cdkv::records
