// cdkv-ocr-worker: the OCR pool as a process of its own, for machines that only
// read photos. It shares the record store and photo blobs with cdkv-server
// (same --data-dir) and takes its jobs from Redis; a killed worker's jobs are
// redelivered to another after the lease.

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "services/domain/catalog_loader.h"
#include "services/records/record_store.h"
#include "services/store/blob_store.h"
#include "workers/filing_prefiller.h"
#include "workers/ocr_pool.h"

int main(int argc, char** argv) {
  std::string data_dir = "var/cdkv";
  std::string catalog_dir = CDKV_DEFAULT_CATALOG_DIR;
  std::string redis_address;
  int threads = 2;
  int lease_seconds = 60;
  CLI::App app{
      "cdkv-ocr-worker: reads filings' photos and pre-fills their forms.",
      "cdkv-ocr-worker"};
  app.add_option("--data-dir", data_dir, "the server's data folder")
      ->envname("CDKV_DATA_DIR");
  app.add_option("--catalog-dir", catalog_dir, "the procedure catalog")
      ->envname("CDKV_CATALOG_DIR");
  app.add_option("--redis", redis_address, "Redis host:port")
      ->envname("CDKV_REDIS")
      ->required();
  app.add_option("--threads", threads, "OCR threads")->check(CLI::Range(1, 32));
  app.add_option("--lease-seconds", lease_seconds,
                 "how long a job may run before another worker takes it over")
      ->check(CLI::Range(1, 3600));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  const size_t colon = redis_address.rfind(':');
  cdkv::queue::RedisClient::Options redis;
  redis.host = redis_address.substr(0, colon);
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(redis_address.substr(colon + 1), &redis.port)) {
    std::fprintf(stderr, "cdkv-ocr-worker: --redis must be host:port\n");
    return 2;
  }

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  const std::filesystem::path dir(data_dir);
  auto catalog = cdkv::domain::LoadCatalog(catalog_dir + "/procedures.json",
                                           catalog_dir + "/lap_vo.json");
  auto records =
      cdkv::records::RecordStore::Open((dir / "records.db").string());
  auto blobs = cdkv::store::BlobStore::Open(dir / "blobs");
  for (const absl::Status& s :
       {catalog.status(), records.status(), blobs.status()}) {
    if (!s.ok()) {
      std::fprintf(stderr, "cdkv-ocr-worker: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  cdkv::workers::OcrPool::Options options;
  options.redis = redis;
  options.threads = threads;
  options.lease = absl::Seconds(lease_seconds);
  options.job_time_limit = std::min(absl::Seconds(30), options.lease / 2);
  // The server's dispatcher polls the outbox; watchers live in the server
  // process.
  cdkv::workers::OcrPool pool(
      **records, *blobs, *catalog, /*events=*/nullptr, [] {},
      [] { return std::make_unique<cdkv::workers::FilingPrefiller>(); },
      options);
  pool.Start();
  cdkv::LogInfo("ocr_worker.started",
                {{"redis", redis_address}, {"threads", threads}});
  std::printf("cdkv-ocr-worker: reading photos for %s\n",
              redis_address.c_str());
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  pool.Stop();
  cdkv::LogInfo("ocr_worker.stopped", {{"signal", signal_number}});
  return 0;
}
