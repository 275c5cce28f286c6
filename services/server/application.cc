#include "services/server/application.h"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/string_view.h"
#include "services/api/catalog_service.h"
#include "services/api/citizen_service.h"
#include "services/api/desk_service.h"
#include "services/api/supervision_service.h"
#include "services/auth/auth_service.h"
#include "services/domain/catalog_loader.h"
#include "services/domain/vn_holidays.h"
#include "services/queue/redis.h"
#include "workers/id_card_prefiller.h"
#include "workers/outbox_kinds.h"

namespace cdkv::server {
namespace {

constexpr char kDemoPassword[] = "cdkv-demo-2026";

// This thread's connection to `address`, reconnecting at most every few seconds
// after a failure so a Redis outage costs a handler microseconds, not a connect
// timeout per call.
queue::RedisClient* ThreadRedis(const std::string& host, int port) {
  struct Slot {
    std::unique_ptr<queue::RedisClient> client;
    absl::Time retry_after = absl::InfinitePast();
  };
  thread_local std::map<std::string, Slot> slots;
  Slot& slot = slots[absl::StrCat(host, ":", port)];
  if (slot.client) return slot.client.get();
  if (absl::Now() < slot.retry_after) return nullptr;
  queue::RedisClient::Options options;
  options.host = host;
  options.port = port;
  options.connect_timeout = absl::Milliseconds(300);
  absl::StatusOr<queue::RedisClient> client =
      queue::RedisClient::Connect(options);
  if (!client.ok()) {
    slot.retry_after = absl::Now() + absl::Seconds(5);
    return nullptr;
  }
  slot.client = std::make_unique<queue::RedisClient>(std::move(*client));
  return slot.client.get();
}

// Development mode: an officer account for every desk and a supervisor for each
// district, all with one known password, so a person can walk a filing through
// its life right away.
void SeedDemoAccounts(auth::AccountStore& accounts,
                      const domain::Catalog& catalog) {
  const absl::Time now = absl::Now();
  for (const domain::Desk& desk : catalog.data().desks) {
    auth::StaffAccount account;
    std::string suffix =
        desk.code.rfind("desk.", 0) == 0 ? desk.code.substr(5) : desk.code;
    account.username = absl::StrCat("officer.", suffix);
    account.password = kDemoPassword;
    account.role = domain::Role::kOfficer;
    account.display_name = absl::StrCat("Cán bộ ", desk.name_vi).substr(0, 120);
    account.desk_codes = {desk.code};
    absl::StatusOr<auth::Principal> created =
        accounts.CreateStaffAccount(account, now);
    if (created.ok()) {
      LogInfo("dev.account",
              {{"username", account.username}, {"desk", desk.code}});
    }
  }
  for (const domain::District& district : catalog.data().districts) {
    auth::StaffAccount account;
    account.username = absl::StrCat("supervisor.", district.code);
    account.password = kDemoPassword;
    account.role = domain::Role::kSupervisor;
    account.display_name =
        absl::StrCat("Giám sát ", district.name_vi).substr(0, 120);
    account.district_code = district.code;
    if (accounts.CreateStaffAccount(account, now).ok()) {
      LogInfo("dev.account",
              {{"username", account.username}, {"district", district.code}});
    }
  }
  LogInfo("dev.accounts_ready", {{"password", kDemoPassword}});
}

absl::Status Prefix(const absl::Status& s, std::string_view what) {
  return absl::Status(s.code(), absl::StrCat(Absl(what), ": ", s.message()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Application>> Application::Create(
    const ServerConfig& config) {
  std::unique_ptr<Application> app(new Application());
  std::error_code ec;
  const std::filesystem::path data_dir(config.data_dir);
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create the data folder ", config.data_dir, ": ", ec.message()));
  }

  const std::filesystem::path catalog_dir(config.catalog_dir);
  absl::StatusOr<domain::Catalog> catalog =
      domain::LoadCatalog((catalog_dir / "procedures.json").string(),
                          (catalog_dir / "lap_vo.json").string());
  if (!catalog.ok()) return Prefix(catalog.status(), "catalog");
  app->catalog_ = std::make_unique<domain::Catalog>(std::move(*catalog));

  absl::StatusOr<domain::WorkingCalendar> calendar =
      domain::WorkingCalendar::Create(domain::VietnamCalendarOptions());
  if (!calendar.ok()) return Prefix(calendar.status(), "working calendar");
  app->calendar_ =
      std::make_unique<domain::WorkingCalendar>(std::move(*calendar));

  absl::StatusOr<std::unique_ptr<records::RecordStore>> records =
      records::RecordStore::Open((data_dir / "records.db").string());
  if (!records.ok()) return Prefix(records.status(), "record store");
  app->records_ = std::move(*records);

  absl::StatusOr<store::BlobStore> blobs = store::BlobStore::Open(
      data_dir / "blobs", static_cast<size_t>(config.max_upload_bytes));
  if (!blobs.ok()) return Prefix(blobs.status(), "photo store");
  app->blobs_ = std::make_unique<store::BlobStore>(std::move(*blobs));

  auth::AccountStore::Options account_options;
  absl::StatusOr<std::unique_ptr<auth::AccountStore>> accounts =
      auth::AccountStore::Open(data_dir, account_options);
  if (!accounts.ok()) return Prefix(accounts.status(), "accounts");
  app->accounts_ = std::move(*accounts);

  absl::StatusOr<auth::TokenSigner> signer =
      auth::TokenSigner::LoadOrCreate(data_dir / "token.key");
  if (!signer.ok()) return Prefix(signer.status(), "token key");
  app->signer_ = std::make_unique<auth::TokenSigner>(std::move(*signer));

  app->upload_pool_ = std::make_unique<WorkPool>(2);

  api::Deps& deps = app->deps_;
  deps.catalog = app->catalog_.get();
  deps.calendar = app->calendar_.get();
  deps.records = app->records_.get();
  deps.blobs = app->blobs_.get();
  deps.signer = app->signer_.get();
  deps.events = &app->events_;
  deps.max_upload_bytes = config.max_upload_bytes;
  if (!config.redis_address.empty()) {
    const size_t colon = config.redis_address.rfind(':');
    std::string host = config.redis_address.substr(0, colon);
    if (host.size() > 2 && host.front() == '[')
      host = host.substr(1, host.size() - 2);
    int port = 0;
    if (!absl::SimpleAtoi(config.redis_address.substr(colon + 1), &port))
      port = 6379;
    deps.redis = [host, port] { return ThreadRedis(host, port); };
  }

  if (config.development) SeedDemoAccounts(*app->accounts_, *app->catalog_);

  records::RecordStore* store = app->records_.get();
  const bool development = config.development;
  auth::CodeSender send_code = [store, development](const std::string& phone,
                                                    const std::string& code) {
    if (development)
      LogInfo("auth.sign_in_code", {{"phone", phone}, {"code", code}});
    // The SMS gateway gets it through the outbox, like every other message to a
    // citizen.
    absl::Status queued = store->Write([&](records::Tx& tx) {
      return workers::AddSms(tx,
                             {phone, absl::StrCat("Ma dang nhap cdkv: ", code,
                                                  ". Khong chia se ma nay.")},
                             absl::Now());
    });
    if (!queued.ok()) {
      LogError("auth.sign_in_code_not_queued", {{"error", queued.ToString()}});
    }
  };
  app->services_.push_back(std::make_unique<auth::AuthServiceImpl>(
      *app->accounts_, *app->signer_, std::move(send_code),
      [] { return absl::Now(); }, auth::TokenTtls{}));
  app->services_.push_back(
      std::make_unique<api::CatalogServiceImpl>(*app->catalog_));
  app->services_.push_back(
      std::make_unique<api::CitizenServiceImpl>(deps, *app->upload_pool_));
  app->services_.push_back(std::make_unique<api::DeskServiceImpl>(deps));
  app->services_.push_back(std::make_unique<api::SupervisionServiceImpl>(deps));
  return app;
}

absl::Status Application::StartWorkers(const ServerConfig& config) {
  if (config.redis_address.empty()) {
    LogWarning(
        "workers.not_started",
        {{"reason", "no Redis configured; filings wait in the record store"}});
    return absl::OkStatus();
  }
  const size_t colon = config.redis_address.rfind(':');
  queue::RedisClient::Options redis;
  redis.host = config.redis_address.substr(0, colon);
  if (redis.host.size() > 2 && redis.host.front() == '[') {
    redis.host = redis.host.substr(1, redis.host.size() - 2);
  }
  if (!absl::SimpleAtoi(config.redis_address.substr(colon + 1), &redis.port)) {
    return absl::InvalidArgumentError("the Redis address has no port");
  }
  std::function<void()> poke = [this] {
    if (dispatcher_) dispatcher_->Poke();
  };

  reconciler_ = std::make_unique<workers::Reconciler>(*records_);
  workers::OutboxDispatcher::Options dispatch;
  dispatch.redis = redis;
  dispatch.reconciler = reconciler_.get();
  dispatcher_ =
      std::make_unique<workers::OutboxDispatcher>(*records_, dispatch);

  workers::LeaseWatcher::Options leases;
  leases.redis = redis;
  lease_watcher_ = std::make_unique<workers::LeaseWatcher>(
      *records_, *catalog_, &events_, poke, leases);
  if (config.ocr_workers > 0) {
    workers::OcrPool::Options ocr;
    ocr.redis = redis;
    ocr.threads = config.ocr_workers;
    ocr_pool_ = std::make_unique<workers::OcrPool>(
        *records_, *blobs_, *catalog_, &events_, poke,
        [] { return std::make_unique<workers::IdCardPrefiller>(); }, ocr);
  }
  workers::Notifier::Options notify;
  notify.redis = redis;
  notify.webhook_url = config.notify_webhook;
  notifier_ = std::make_unique<workers::Notifier>(*records_, notify);

  deps_.poke_outbox = poke;
  dispatcher_->Start();
  lease_watcher_->Start();
  if (ocr_pool_) ocr_pool_->Start();
  if (absl::Status s = notifier_->Start(); !s.ok()) return s;
  LogInfo("workers.started", {{"redis", config.redis_address},
                              {"ocr_workers", config.ocr_workers}});
  return absl::OkStatus();
}

Application::~Application() {
  // Stop the workers, then finish uploads in flight, before the stores go away.
  deps_.poke_outbox = [] {};
  if (notifier_) notifier_->Stop();
  if (ocr_pool_) ocr_pool_->Stop();
  if (lease_watcher_) lease_watcher_->Stop();
  if (dispatcher_) dispatcher_->Stop();
  upload_pool_.reset();
}

std::vector<grpc::Service*> Application::Services() {
  std::vector<grpc::Service*> services;
  for (auto& s : services_) services.push_back(s.get());
  return services;
}

}  // namespace cdkv::server
