#include "services/store/blob_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace cdkv::store {
namespace {

using ::cdkv::testing::TempDir;

// SHA-256("abc") from FIPS 180-2.
constexpr char kAbcHash[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

void Overwrite(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::permissions(path, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST_CASE("Sha256Hex matches the standard test vector") {
  CHECK(Sha256Hex("abc") == kAbcHash);
  CHECK(IsValidBlobHash(kAbcHash));
}

TEST_CASE("Put stores content under its hash, Get returns it") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto store = BlobStore::Open(dir->path() / "blobs");
  REQUIRE(store.ok());
  const std::string photo("\xff\xd8\xff\xe0 jpeg \0 bytes", 18);
  auto hash = store->Put(photo);
  REQUIRE(hash.ok());
  CHECK(*hash == Sha256Hex(photo));
  CHECK(store->PathFor(*hash) ==
        store->root() / hash->substr(0, 2) / hash->substr(2, 2) / *hash);
  CHECK(std::filesystem::is_regular_file(store->PathFor(*hash)));
  CHECK(*store->Exists(*hash));
  auto got = store->Get(*hash);
  REQUIRE(got.ok());
  CHECK(*got == photo);

  // Same content again: same hash, still one file, no temp files left.
  auto again = store->Put(photo);
  REQUIRE(again.ok());
  CHECK(*again == *hash);
  int files = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(store->root())) {
    if (entry.is_regular_file()) ++files;
  }
  CHECK(files == 1);
}

TEST_CASE("Get and Exists report absent blobs") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto store = BlobStore::Open(dir->path());
  REQUIRE(store.ok());
  CHECK(store->Get(kAbcHash).status().code() == absl::StatusCode::kNotFound);
  CHECK_FALSE(*store->Exists(kAbcHash));
}

TEST_CASE("Malformed hashes are refused, so paths cannot escape the root") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto store = BlobStore::Open(dir->path());
  REQUIRE(store.ok());
  const std::string upper =
      "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
  for (const std::string& bad :
       {std::string("../../etc/passwd"), std::string(""), upper,
        std::string(kAbcHash) + "0", std::string(kAbcHash).substr(1),
        std::string("../") + std::string(kAbcHash).substr(3),
        std::string(kAbcHash).substr(0, 63) + "/",
        std::string(kAbcHash).substr(0, 63) + std::string(1, '\0')}) {
    INFO(bad);
    CHECK(store->Get(bad).status().code() ==
          absl::StatusCode::kInvalidArgument);
    CHECK(store->Exists(bad).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("A corrupted or truncated blob is DATA_LOSS, and Put repairs it") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto store = BlobStore::Open(dir->path());
  REQUIRE(store.ok());
  const std::string photo(10000, 'p');
  auto hash = store->Put(photo);
  REQUIRE(hash.ok());
  std::filesystem::path path = store->PathFor(*hash);

  Overwrite(path, photo.substr(0, 5000));  // Partial write / truncation.
  auto truncated = store->Get(*hash);
  CHECK(truncated.status().code() == absl::StatusCode::kDataLoss);
  CHECK(truncated.status().message().find(*hash) != absl::string_view::npos);

  Overwrite(path, std::string(10000, 'q'));  // Bit rot of the same size.
  CHECK(store->Get(*hash).status().code() == absl::StatusCode::kDataLoss);

  auto repaired = store->Put(photo);
  REQUIRE(repaired.ok());
  auto got = store->Get(*hash);
  REQUIRE(got.ok());
  CHECK(*got == photo);
}

TEST_CASE("Put refuses blobs over the size cap and writes nothing") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto store = BlobStore::Open(dir->path(), /*max_blob_bytes=*/1024);
  REQUIRE(store.ok());
  CHECK(store->Put(std::string(1024, 'a')).ok());
  auto too_big = store->Put(std::string(1025, 'a'));
  CHECK(too_big.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(too_big.status().message().find("1024") != absl::string_view::npos);
  CHECK_FALSE(*store->Exists(Sha256Hex(std::string(1025, 'a'))));
}

TEST_CASE("Put fails cleanly when the shard directory cannot be created") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto store = BlobStore::Open(dir->path());
  REQUIRE(store.ok());
  // A file where the "ba/" shard directory belongs blocks the write even
  // for root, unlike permission bits.
  std::ofstream(dir->path() / "ba") << "in the way";
  auto put = store->Put("abc");
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().message().find("ba") != absl::string_view::npos);
  CHECK(store->Exists(kAbcHash).status().code() ==
        absl::StatusCode::kInternal);  // stat of ba/78/... hits ENOTDIR.
}

TEST_CASE("Concurrent Puts of the same content agree") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto store = BlobStore::Open(dir->path());
  REQUIRE(store.ok());
  const std::string photo(200000, 'z');
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto hash = store->Put(photo);
      if (!hash.ok() || *hash != Sha256Hex(photo)) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  auto got = store->Get(Sha256Hex(photo));
  REQUIRE(got.ok());
  CHECK(*got == photo);
}

TEST_CASE("Stale temp files from crashed Puts are removed, blobs are kept") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto store = BlobStore::Open(dir->path());
  REQUIRE(store.ok());
  auto hash = store->Put("abc");
  REQUIRE(hash.ok());
  std::filesystem::path leaf = store->PathFor(*hash).parent_path();
  std::filesystem::path stale = leaf / ".tmp-crashed";
  std::filesystem::path fresh = leaf / ".tmp-in-flight";
  std::ofstream(stale) << "partial";
  std::ofstream(fresh) << "partial";
  std::filesystem::last_write_time(
      stale,
      std::filesystem::file_time_type::clock::now() - std::chrono::hours(2));

  auto removed = store->RemoveStaleTempFiles(absl::Hours(1));
  REQUIRE(removed.ok());
  CHECK(*removed == 1);
  CHECK_FALSE(std::filesystem::exists(stale));
  CHECK(std::filesystem::exists(fresh));
  CHECK(store->Get(*hash).ok());
}

}  // namespace
}  // namespace cdkv::store
