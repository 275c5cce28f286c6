#ifndef CDKV_SERVICES_SERVER_APPLICATION_H_
#define CDKV_SERVICES_SERVER_APPLICATION_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "common/work_pool.h"
#include "services/api/deps.h"
#include "services/api/filing_events.h"
#include "services/auth/account_store.h"
#include "services/auth/token.h"
#include "services/chat/chat_intake.h"
#include "services/chat/chat_sender.h"
#include "services/chat/chat_store.h"
#include "services/chat/webhook.h"
#include "services/chat/webhook_server.h"
#include "services/domain/catalog.h"
#include "services/domain/working_calendar.h"
#include "services/records/record_store.h"
#include "services/server/config.h"
#include "services/store/blob_store.h"
#include "workers/lease_watcher.h"
#include "workers/notifier.h"
#include "workers/ocr_pool.h"
#include "workers/outbox_dispatcher.h"
#include "workers/reconciler.h"

namespace cdkv::server {

// Everything one server process owns: the catalog, the stores, the token key,
// and the five services built over them. Constructed before the gRPC server
// starts and destroyed after it stops, so no handler ever sees a half-built or
// half-destroyed dependency.
class Application {
 public:
  static absl::StatusOr<std::unique_ptr<Application>> Create(
      const ServerConfig& config);
  ~Application();

  // Starts the chat intake when configured (webhook endpoint, intake worker,
  // outbound sender: they work without Redis), then the background workers
  // that need Redis (outbox dispatcher and reconciler, lease watcher, OCR
  // pool, notifier). Without Redis those do not start: the store keeps the
  // work.
  absl::Status StartWorkers(const ServerConfig& config);

  // The services to register, in a stable order.
  std::vector<grpc::Service*> Services();

  api::Deps& deps() { return deps_; }
  auth::AccountStore& accounts() { return *accounts_; }
  // Null when chat intake is not configured.
  chat::ChatStore* chat_store() { return chat_store_.get(); }
  chat::ChatSender* chat_sender() { return chat_sender_.get(); }
  chat::ChatIntake* chat_intake() { return chat_intake_.get(); }
  // "http://host:port/zalo/webhook" once started; "" when chat is off.
  std::string chat_webhook_url() const {
    return chat_webhook_ ? chat_webhook_->url() : "";
  }

 private:
  Application() = default;
  absl::Status StartChat(const ServerConfig& config);

  std::unique_ptr<domain::Catalog> catalog_;
  std::unique_ptr<domain::WorkingCalendar> calendar_;
  std::unique_ptr<records::RecordStore> records_;
  std::unique_ptr<store::BlobStore> blobs_;
  std::unique_ptr<auth::AccountStore> accounts_;
  std::unique_ptr<auth::TokenSigner> signer_;
  api::FilingEvents events_;
  std::unique_ptr<WorkPool> upload_pool_;
  api::Deps deps_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  // Declared last so they stop first, before anything they use is destroyed.
  std::unique_ptr<workers::Reconciler> reconciler_;
  std::unique_ptr<workers::OutboxDispatcher> dispatcher_;
  std::unique_ptr<workers::LeaseWatcher> lease_watcher_;
  std::unique_ptr<workers::OcrPool> ocr_pool_;
  std::unique_ptr<workers::Notifier> notifier_;
  // Chat intake: the destructor stops the webhook first (no new events),
  // then the intake worker, then the sender.
  std::vector<chat::OaAccount> chat_accounts_;
  std::unique_ptr<chat::ChatStore> chat_store_;
  std::unique_ptr<chat::ChatSender> chat_sender_;
  std::unique_ptr<chat::ChatIntake> chat_intake_;
  std::unique_ptr<chat::WebhookServer> chat_webhook_;
};

}  // namespace cdkv::server

#endif  // CDKV_SERVICES_SERVER_APPLICATION_H_
