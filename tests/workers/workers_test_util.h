#ifndef CDKV_TESTS_WORKERS_WORKERS_TEST_UTIL_H_
#define CDKV_TESTS_WORKERS_WORKERS_TEST_UTIL_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/domain/catalog.h"
#include "services/domain/lifecycle.h"
#include "services/queue/redis.h"
#include "services/records/record_store.h"
#include "services/store/blob_store.h"
#include "tests/support/redis_server.h"
#include "tests/support/temp_dir.h"

namespace cdkv::workers {

inline constexpr char kDesk[] = "desk.lv.my_an_hung_a";
inline constexpr char kProcedure[] = "xac_nhan_thong_tin_cu_tru";

// A real redis-server, a record store and a blob store in a temp dir, and the
// project's catalog.
struct Env {
  Env();

  queue::RedisClient::Options RedisOptions() const;
  // A new client; fails the test if Redis cannot be reached.
  queue::RedisClient Connect() const;

  // Inserts a filing of kProcedure at kDesk in `state`; returns it as stored.
  records::FilingRow AddFiling(const std::string& id, domain::State state,
                               absl::Time deadline);
  // Stores `bytes` as a photo of the filing.
  void AddPhoto(const std::string& filing_id, const std::string& document_id,
                const std::string& declared_kind, const std::string& bytes);

  records::FilingRow Filing(const std::string& id);
  std::vector<records::OutboxRow> Outbox();
  std::vector<records::FieldRow> Fields(const std::string& filing_id);
  std::vector<domain::Transition> History(const std::string& filing_id);
  std::vector<records::DocumentRow> Documents(const std::string& filing_id);

  testing::TempDir dir;
  std::unique_ptr<testing::RedisServer> redis;
  std::unique_ptr<records::RecordStore> records;
  std::optional<store::BlobStore> blobs;
  std::unique_ptr<domain::Catalog> catalog;
};

// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool Eventually(const std::function<bool()>& condition,
                absl::Duration timeout = absl::Seconds(10));

}  // namespace cdkv::workers

#endif  // CDKV_TESTS_WORKERS_WORKERS_TEST_UTIL_H_
