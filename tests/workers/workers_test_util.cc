#include "tests/workers/workers_test_util.h"

#include <catch2/catch.hpp>
#include <utility>

#include "absl/time/clock.h"
#include "services/domain/catalog_loader.h"

namespace cdkv::workers {

namespace {

testing::TempDir MakeDir() {
  absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
  REQUIRE(dir.ok());
  return *std::move(dir);
}

}  // namespace

Env::Env() : dir(MakeDir()) {
  auto server = testing::RedisServer::Start();
  REQUIRE(server.ok());
  redis = *std::move(server);
  auto store = records::RecordStore::Open((dir.path() / "records.db").string());
  REQUIRE(store.ok());
  records = *std::move(store);
  auto blob_store = store::BlobStore::Open(dir.path() / "blobs");
  REQUIRE(blob_store.ok());
  blobs.emplace(*std::move(blob_store));
  auto loaded =
      domain::LoadCatalog(CDKV_SOURCE_DIR "/data/catalog/procedures.json",
                          CDKV_SOURCE_DIR "/data/catalog/lap_vo.json");
  REQUIRE(loaded.ok());
  catalog = std::make_unique<domain::Catalog>(*std::move(loaded));
}

queue::RedisClient::Options Env::RedisOptions() const {
  queue::RedisClient::Options options;
  options.host = redis->host();
  options.port = redis->port();
  options.connect_timeout = absl::Milliseconds(500);
  options.command_timeout = absl::Seconds(1);
  return options;
}

queue::RedisClient Env::Connect() const {
  auto client = queue::RedisClient::Connect(RedisOptions());
  REQUIRE(client.ok());
  return *std::move(client);
}

records::FilingRow Env::AddFiling(const std::string& id, domain::State state,
                                  absl::Time deadline) {
  records::FilingRow f;
  f.id = id;
  f.procedure_code = kProcedure;
  f.commune_code = "lv.my_an_hung_a";
  f.desk_code = kDesk;
  f.competent_desk = kDesk;
  f.citizen_id = "citizen-1";
  f.state = state;
  f.created_at = absl::FromUnixSeconds(1'700'000'000);
  f.submitted_at = f.created_at;
  f.deadline = deadline;
  REQUIRE(
      records->Write([&](records::Tx& tx) { return tx.InsertFiling(f); }).ok());
  return Filing(id);
}

void Env::AddPhoto(const std::string& filing_id, const std::string& document_id,
                   const std::string& declared_kind, const std::string& bytes) {
  auto hash = blobs->Put(bytes);
  REQUIRE(hash.ok());
  records::DocumentRow d;
  d.filing_id = filing_id;
  d.document_id = document_id;
  d.declared_kind = declared_kind;
  d.content_type = "image/png";
  d.size_bytes = static_cast<int64_t>(bytes.size());
  d.sha256 = *hash;
  d.uploaded_at = absl::Now();
  REQUIRE(records->Write([&](records::Tx& tx) { return tx.InsertDocument(d); })
              .ok());
}

records::FilingRow Env::Filing(const std::string& id) {
  records::FilingRow out;
  REQUIRE(records
              ->Read([&](records::Tx& tx) -> absl::Status {
                auto f = tx.GetFiling(id);
                if (!f.ok()) return f.status();
                out = *std::move(f);
                return absl::OkStatus();
              })
              .ok());
  return out;
}

std::vector<records::OutboxRow> Env::Outbox() {
  std::vector<records::OutboxRow> out;
  REQUIRE(records
              ->Read([&](records::Tx& tx) -> absl::Status {
                auto rows = tx.PendingOutbox(1000);
                if (!rows.ok()) return rows.status();
                out = *std::move(rows);
                return absl::OkStatus();
              })
              .ok());
  return out;
}

std::vector<records::FieldRow> Env::Fields(const std::string& filing_id) {
  std::vector<records::FieldRow> out;
  REQUIRE(records
              ->Read([&](records::Tx& tx) -> absl::Status {
                auto rows = tx.Fields(filing_id);
                if (!rows.ok()) return rows.status();
                out = *std::move(rows);
                return absl::OkStatus();
              })
              .ok());
  return out;
}

std::vector<domain::Transition> Env::History(const std::string& filing_id) {
  std::vector<domain::Transition> out;
  REQUIRE(records
              ->Read([&](records::Tx& tx) -> absl::Status {
                auto rows = tx.History(filing_id);
                if (!rows.ok()) return rows.status();
                out = *std::move(rows);
                return absl::OkStatus();
              })
              .ok());
  return out;
}

std::vector<records::DocumentRow> Env::Documents(const std::string& filing_id) {
  std::vector<records::DocumentRow> out;
  REQUIRE(records
              ->Read([&](records::Tx& tx) -> absl::Status {
                auto rows = tx.Documents(filing_id);
                if (!rows.ok()) return rows.status();
                out = *std::move(rows);
                return absl::OkStatus();
              })
              .ok());
  return out;
}

bool Eventually(const std::function<bool()>& condition,
                absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return condition();
}

}  // namespace cdkv::workers
