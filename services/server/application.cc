#include "services/server/application.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/log.h"
#include "common/string_view.h"
#include "services/api/catalog_service.h"
#include "services/api/citizen_service.h"
#include "services/api/desk_service.h"
#include "services/api/supervision_service.h"
#include "services/auth/auth_service.h"
#include "services/chat/chat_notice_route.h"
#include "services/domain/catalog_loader.h"
#include "services/domain/vn_holidays.h"
#include "services/queue/job_stream.h"
#include "services/queue/redis.h"
#include "workers/filing_prefiller.h"
#include "workers/outbox_kinds.h"

namespace cdkv::server {
namespace {

constexpr char kDemoPassword[] = "cdkv-demo-2026";
// The admin audit's operator for the accounts development mode creates.
constexpr char kDemoOperator[] = "cdkv-server --dev";

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
// district and province, all with one known password, so a person can walk a
// filing through its life right away.
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
        accounts.CreateStaffAccount(account, now, kDemoOperator);
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
    if (accounts.CreateStaffAccount(account, now, kDemoOperator).ok()) {
      LogInfo("dev.account",
              {{"username", account.username}, {"district", district.code}});
    }
  }
  for (const domain::Province& province : catalog.provinces()) {
    auth::StaffAccount account;
    account.username = absl::StrCat("supervisor.", province.code);
    account.password = kDemoPassword;
    account.role = domain::Role::kSupervisor;
    account.display_name =
        absl::StrCat("Giám sát ", province.name_vi).substr(0, 120);
    account.province_code = province.code;
    if (accounts.CreateStaffAccount(account, now, kDemoOperator).ok()) {
      LogInfo("dev.account",
              {{"username", account.username}, {"province", province.code}});
    }
  }
  LogInfo("dev.accounts_ready", {{"password", kDemoPassword}});
}

absl::Status Prefix(const absl::Status& s, std::string_view what) {
  return absl::Status(s.code(), absl::StrCat(Absl(what), ": ", s.message()));
}

// Connection options for config.redis_address ("host:port" or "[v6]:port").
absl::StatusOr<queue::RedisClient::Options> RedisOptions(
    const ServerConfig& config) {
  const size_t colon = config.redis_address.rfind(':');
  queue::RedisClient::Options redis;
  redis.host = config.redis_address.substr(0, colon);
  if (redis.host.size() > 2 && redis.host.front() == '[') {
    redis.host = redis.host.substr(1, redis.host.size() - 2);
  }
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(config.redis_address.substr(colon + 1), &redis.port)) {
    return absl::InvalidArgumentError("the Redis address has no port");
  }
  return redis;
}

// The commune Official Accounts the chat webhook serves, from the JSON list
// of --chat-oa-config; access tokens go to `tokens` (oa_id -> token).
absl::StatusOr<std::vector<chat::OaAccount>> LoadOaAccounts(
    const std::string& path, const domain::Catalog& catalog,
    std::map<std::string, std::string>* tokens) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path));
  }
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  nlohmann::json list = nlohmann::json::parse(text, nullptr, false);
  if (!list.is_array() || list.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": expected a non-empty JSON list of Official Accounts"));
  }
  std::vector<chat::OaAccount> accounts;
  for (size_t i = 0; i < list.size(); ++i) {
    const nlohmann::json& entry = list[i];
    chat::OaAccount account;
    for (auto [key, field] :
         {std::pair<const char*, std::string*>{"oa_id", &account.oa_id},
          {"app_id", &account.app_id},
          {"secret", &account.secret},
          {"commune_code", &account.commune_code}}) {
      if (!entry.is_object() || !entry.contains(key) ||
          !entry[key].is_string() || entry[key].get<std::string>().empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": entry ", i, " needs a non-empty string \"", key, "\""));
      }
      *field = entry[key].get<std::string>();
    }
    if (catalog.FindCommune(account.commune_code) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": entry ", i, ": no commune \"",
                       account.commune_code, "\" in the catalog"));
    }
    for (const chat::OaAccount& other : accounts) {
      if (other.oa_id == account.oa_id) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": OA ", account.oa_id, " is listed twice"));
      }
    }
    if (entry.contains("access_token") && entry["access_token"].is_string()) {
      (*tokens)[account.oa_id] = entry["access_token"].get<std::string>();
    }
    accounts.push_back(std::move(account));
  }
  return accounts;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Application>> Application::Create(
    const ServerConfig& config) {
  // Debian builds abseil without NDEBUG, which leaves absl::Mutex's deadlock
  // detection on: a global graph updated on every lock, a few percent of the
  // server's CPU under load. Lock order is kept by design and documented in
  // thread annotations instead; it is a debugging aid, not a safeguard.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
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
  deps.accounts = app->accounts_.get();
  deps.events = &app->events_;
  deps.max_upload_bytes = config.max_upload_bytes;
  deps.prefill_off = config.prefill_off;
  deps.handler_threads = config.handler_threads;
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

  if (!config.chat_listen.empty()) {
    std::map<std::string, std::string> tokens;
    absl::StatusOr<std::vector<chat::OaAccount>> oa =
        LoadOaAccounts(config.chat_oa_config, *app->catalog_, &tokens);
    if (!oa.ok()) return Prefix(oa.status(), "chat Official Accounts");
    app->chat_accounts_ = *std::move(oa);
    absl::StatusOr<std::unique_ptr<chat::ChatStore>> chat_store =
        chat::ChatStore::Open((data_dir / "chat.db").string());
    if (!chat_store.ok()) return Prefix(chat_store.status(), "chat store");
    app->chat_store_ = *std::move(chat_store);
    chat::ChatSender::Options sender;
    sender.db_path = (data_dir / "chat_outbox.db").string();
    sender.api_base_url = config.chat_api_base;
    sender.access_tokens = std::move(tokens);
    absl::StatusOr<std::unique_ptr<chat::ChatSender>> chat_sender =
        chat::ChatSender::Open(std::move(sender));
    if (!chat_sender.ok()) return Prefix(chat_sender.status(), "chat outbox");
    app->chat_sender_ = *std::move(chat_sender);
  }

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

absl::Status Application::StartChat(const ServerConfig& config) {
  if (!chat_store_) return absl::OkStatus();
  chat::ChatIntake::Options intake;
  intake.accounts = chat_accounts_;
  intake.development = config.development;
  if (!config.chat_allow_host.empty()) {
    intake.fetch.allowed_private_hosts = {config.chat_allow_host};
  }
  intake.fetch.max_bytes = static_cast<size_t>(config.max_upload_bytes);
  intake.fetch.timeout = absl::Seconds(config.chat_fetch_timeout_seconds);
  intake.workers = config.chat_workers;
  if (!config.redis_address.empty()) {
    absl::StatusOr<queue::RedisClient::Options> redis = RedisOptions(config);
    if (!redis.ok()) return redis.status();
    intake.redis = *redis;
  }
  chat_intake_ = std::make_unique<chat::ChatIntake>(
      deps_, *accounts_, *chat_store_, *chat_sender_, std::move(intake));

  chat::WebhookServer::Options webhook;
  webhook.listen = config.chat_listen;
  webhook.accounts = chat_accounts_;
  webhook.signature.max_age = absl::Seconds(config.chat_replay_window_seconds);
  chat::ChatIntake* worker = chat_intake_.get();
  api::Deps* deps = &deps_;
  webhook.on_accepted = [worker, deps] {
    worker->Poke();
    // Wakes an intake worker in another process too; the inbox is the truth,
    // so a failed wake-up costs one poll interval at most.
    if (queue::RedisClient* redis = deps->redis()) {
      queue::JobStream stream(*redis, chat::kChatStream);
      (void)stream.Add({{"wake", "1"}});
    }
  };
  absl::StatusOr<std::unique_ptr<chat::WebhookServer>> server =
      chat::WebhookServer::Start(*chat_store_, std::move(webhook));
  if (!server.ok()) return server.status();
  chat_webhook_ = *std::move(server);
  chat_sender_->Start();
  chat_intake_->Start();
  LogInfo("chat.started",
          {{"webhook", chat_webhook_->url()},
           {"accounts", static_cast<int64_t>(chat_accounts_.size())}});
  return absl::OkStatus();
}

absl::Status Application::StartWorkers(const ServerConfig& config) {
  if (absl::Status s = StartChat(config); !s.ok()) return s;
  if (config.redis_address.empty()) {
    LogWarning(
        "workers.not_started",
        {{"reason", "no Redis configured; filings wait in the record store"}});
    return absl::OkStatus();
  }
  absl::StatusOr<queue::RedisClient::Options> redis_options =
      RedisOptions(config);
  if (!redis_options.ok()) return redis_options.status();
  const queue::RedisClient::Options& redis = *redis_options;
  std::function<void()> poke = [this] {
    if (dispatcher_) dispatcher_->Poke();
  };

  reconciler_ = std::make_unique<workers::Reconciler>(*records_);
  workers::OutboxDispatcher::Options dispatch;
  dispatch.redis = redis;
  dispatch.reconciler = reconciler_.get();
  dispatch.prefill_off = config.prefill_off;
  dispatch.catalog = catalog_.get();
  dispatch.events = &events_;
  dispatcher_ =
      std::make_unique<workers::OutboxDispatcher>(*records_, dispatch);

  workers::LeaseWatcher::Options leases;
  leases.redis = redis;
  lease_watcher_ = std::make_unique<workers::LeaseWatcher>(
      *records_, *catalog_, &events_, poke, leases);
  if (config.ocr_workers > 0 && !config.prefill_off) {
    workers::OcrPool::Options ocr;
    ocr.redis = redis;
    ocr.threads = config.ocr_workers;
    ocr_pool_ = std::make_unique<workers::OcrPool>(
        *records_, *blobs_, *catalog_, &events_, poke,
        [] { return std::make_unique<workers::FilingPrefiller>(); }, ocr);
  }
  workers::Notifier::Options notify;
  notify.redis = redis;
  notify.webhook_url = config.notify_webhook;
  // Notices about chat filings go back to the same chat; the others to the
  // SMS/Zalo gateway webhook.
  if (chat_store_ && chat_sender_) {
    notify.chat_route = chat::ChatNoticeRoute(*chat_store_, *chat_sender_);
  }
  notifier_ = std::make_unique<workers::Notifier>(*records_, notify);

  deps_.poke_outbox = poke;
  dispatcher_->Start();
  lease_watcher_->Start();
  if (ocr_pool_) ocr_pool_->Start();
  if (absl::Status s = notifier_->Start(); !s.ok()) return s;
  LogInfo("workers.started",
          {{"redis", config.redis_address},
           {"ocr_workers", ocr_pool_ ? config.ocr_workers : 0},
           {"prefill", config.prefill_off ? "off" : "ocr"}});
  return absl::OkStatus();
}

Application::~Application() {
  // No new chat events, then the event in hand finished, then the replies
  // already stored are left for the next start.
  if (chat_webhook_) chat_webhook_->Stop();
  if (chat_intake_) chat_intake_->Stop();
  if (chat_sender_) chat_sender_->Stop();
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
