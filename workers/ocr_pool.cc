#include "workers/ocr_pool.h"

#include <algorithm>
#include <climits>
#include <exception>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "services/api/filing_ops.h"
#include "services/domain/lifecycle.h"
#include "workers/consumer_name.h"
#include "workers/outbox_kinds.h"

namespace cdkv::workers {
namespace {

using domain::Action;
using domain::State;

// What became of a filing's job.
enum class Outcome { kFinished, kNothingToDo };

// Error messages go into history reasons and dead letters; keep them short.
std::string Shorten(const absl::Status& status) {
  std::string text = status.ToString();
  if (text.size() > 300) text.resize(300);
  return text;
}

}  // namespace

// One consumer thread's state: its Redis connection, stream and runner.
class OcrPool::Worker {
 public:
  Worker(OcrPool& pool, std::string consumer)
      : pool_(pool),
        consumer_(std::move(consumer)),
        actor_(api::Actor::System(consumer_)) {}

  void Run() {
    Backoff backoff(absl::Milliseconds(100), absl::Seconds(5));
    while (!pool_.wakeup_.stopping()) {
      try {
        if (!client_.has_value()) {
          absl::StatusOr<queue::RedisClient> client =
              queue::RedisClient::Connect(pool_.options_.redis);
          if (!client.ok()) {
            LogWarning("ocr.redis_unavailable",
                       {{"consumer", consumer_},
                        {"error", client.status().ToString()}});
            pool_.wakeup_.Wait(backoff.Next(), /*poke_wakes=*/false);
            continue;
          }
          client_.emplace(*std::move(client));
          // The pool applies max_deliveries itself (see GiveUp), so the
          // stream must never dead-letter a job behind its back.
          stream_.emplace(*client_, kOcrStream,
                          queue::JobStream::Options{INT_MAX});
        }
        ReapRetiredRunners();
        absl::StatusOr<std::vector<queue::Job>> jobs = NextJobs();
        if (!jobs.ok()) {
          LogWarning("ocr.read_failed", {{"consumer", consumer_},
                                         {"error", jobs.status().ToString()}});
          pool_.wakeup_.Wait(backoff.Next(), /*poke_wakes=*/false);
          continue;
        }
        backoff.Reset();
        for (const queue::Job& job : *jobs) Handle(job);
      } catch (const std::exception& e) {
        LogError("ocr.unexpected_exception",
                 {{"consumer", consumer_}, {"error", e.what()}});
        stream_.reset();
        client_.reset();
        pool_.wakeup_.Wait(backoff.Next(), /*poke_wakes=*/false);
      }
    }
  }

 private:
  absl::StatusOr<std::vector<queue::Job>> NextJobs() {
    const absl::Time now = absl::Now();
    if (now >= next_stale_check_) {
      absl::StatusOr<std::vector<queue::Job>> stale =
          stream_->ClaimStale(consumer_, pool_.options_.lease, 1);
      if (!stale.ok()) return stale.status();
      if (!stale->empty()) return stale;
      // Checking a few times per lease keeps redelivery close to the lease.
      next_stale_check_ =
          now + std::max(pool_.options_.lease / 4, absl::Milliseconds(50));
    }
    return stream_->Read(consumer_, 1, pool_.options_.read_block);
  }

  void Handle(const queue::Job& job) {
    const std::string* filing_id = job.Find(kJobFilingId);
    if (filing_id == nullptr || filing_id->empty()) {
      LogError("ocr.job_malformed", {{"job_id", job.id}});
      if (absl::Status s = stream_->DeadLetter(job, "job has no filing_id");
          !s.ok()) {
        LogWarning("ocr.dead_letter_failed",
                   {{"job_id", job.id}, {"error", s.ToString()}});
      }
      return;
    }
    const int max = pool_.options_.max_deliveries;
    if (job.delivery_count > max) {
      GiveUp(job, *filing_id,
             absl::UnavailableError(absl::StrCat(
                 "delivered ", job.delivery_count - 1,
                 " times without an acknowledgement; its consumers probably "
                 "crashed or hung while processing it")));
      return;
    }
    absl::StatusOr<Outcome> outcome = Process(*filing_id);
    if (outcome.ok()) {
      LogInfo("ocr.job_done", {{"filing_id", *filing_id},
                               {"finished", *outcome == Outcome::kFinished},
                               {"deliveries", job.delivery_count}});
      Ack(job);
      return;
    }
    LogWarning("ocr.job_failed", {{"filing_id", *filing_id},
                                  {"deliveries", job.delivery_count},
                                  {"error", outcome.status().ToString()}});
    if (job.delivery_count >= max) GiveUp(job, *filing_id, outcome.status());
    // Otherwise the job stays pending and is redelivered after the lease.
  }

  void Ack(const queue::Job& job) {
    if (absl::Status s = stream_->Ack(job.id); !s.ok()) {
      // Redelivered after the lease and then acked as a no-op.
      LogWarning("ocr.ack_failed",
                 {{"job_id", job.id}, {"error", s.ToString()}});
    }
  }

  // The filing goes to the desk without a pre-fill, then the job is
  // dead-lettered. If finishing fails the job stays pending and the next
  // delivery gives up again.
  void GiveUp(const queue::Job& job, const std::string& filing_id,
              const absl::Status& error) {
    absl::StatusOr<Outcome> finished = FinishUnread(filing_id);
    if (!finished.ok()) {
      LogError("ocr.give_up_failed", {{"filing_id", filing_id},
                                      {"error", finished.status().ToString()}});
      return;
    }
    if (*finished == Outcome::kNothingToDo) {
      // Finished before (the crash came after the commit) or withdrawn:
      // nothing failed that an operator must see.
      Ack(job);
      return;
    }
    if (absl::Status s = stream_->DeadLetter(job, Shorten(error)); !s.ok()) {
      LogWarning("ocr.dead_letter_failed",
                 {{"job_id", job.id}, {"error", s.ToString()}});
      return;
    }
    LogError("ocr.job_dead_lettered",
             {{"filing_id", filing_id}, {"error", Shorten(error)}});
  }

  absl::StatusOr<Outcome> Process(const std::string& filing_id) {
    absl::StatusOr<std::optional<records::FilingRow>> started =
        StartPrefill(filing_id);
    if (!started.ok()) return started.status();
    if (!started->has_value()) return Outcome::kNothingToDo;
    const records::FilingRow& filing = **started;

    const domain::Procedure* procedure =
        pool_.catalog_.FindProcedure(filing.procedure_code);
    if (procedure == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "procedure ", filing.procedure_code, " is not in the catalog"));
    }
    absl::StatusOr<std::vector<DocumentInput>> docs = LoadDocuments(filing_id);
    if (!docs.ok()) return docs.status();

    absl::StatusOr<PrefillResult> result =
        RunPrefiller(*procedure, *std::move(docs));
    if (!result.ok()) return result.status();
    for (records::FieldRow& field : result->fields) {
      if (field.form_code.empty()) field.form_code = FormCode(*procedure);
    }
    return Finish(filing_id, *std::move(result), "");
  }

  // The filing, now prefilling; nullopt when its state needs no pre-fill.
  absl::StatusOr<std::optional<records::FilingRow>> StartPrefill(
      const std::string& filing_id) {
    std::optional<records::FilingRow> out;
    std::vector<cdkv::v1::FilingEvent> events;
    const absl::Time now = pool_.options_.clock();
    absl::Status status =
        pool_.records_.Write([&](records::Tx& tx) -> absl::Status {
          absl::StatusOr<records::FilingRow> filing = tx.GetFiling(filing_id);
          if (absl::IsNotFound(filing.status())) {
            LogWarning("ocr.filing_unknown", {{"filing_id", filing_id}});
            return absl::OkStatus();
          }
          if (!filing.ok()) return filing.status();
          if (filing->state == State::kSubmitted) {
            if (absl::Status s =
                    api::ApplyAction(tx, *filing, Action::kStartPrefill, actor_,
                                     "", now, &events);
                !s.ok()) {
              return s;
            }
          } else if (filing->state != State::kPrefilling) {
            return absl::OkStatus();
          }
          out = *std::move(filing);
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
    Publish(events);
    return out;
  }

  absl::StatusOr<std::vector<DocumentInput>> LoadDocuments(
      const std::string& filing_id) {
    std::vector<records::DocumentRow> rows;
    absl::Status read = pool_.records_.Read([&](records::Tx& tx) {
      absl::StatusOr<std::vector<records::DocumentRow>> documents =
          tx.Documents(filing_id);
      if (!documents.ok()) return documents.status();
      rows = *std::move(documents);
      return absl::OkStatus();
    });
    if (!read.ok()) return read;
    std::vector<DocumentInput> docs;
    for (const records::DocumentRow& row : rows) {
      absl::StatusOr<std::string> bytes = pool_.blobs_.Get(row.sha256);
      if (!bytes.ok()) {
        return absl::Status(bytes.status().code(),
                            absl::StrCat("photo ", row.document_id, ": ",
                                         bytes.status().message()));
      }
      docs.push_back({row.document_id, row.declared_kind, *std::move(bytes)});
    }
    return docs;
  }

  absl::StatusOr<PrefillResult> RunPrefiller(const domain::Procedure& procedure,
                                             std::vector<DocumentInput> docs) {
    if (runner_ == nullptr) {
      runner_ = std::make_unique<PrefillRunner>(pool_.factory_());
    }
    absl::StatusOr<PrefillResult> result =
        runner_->Run(procedure, std::move(docs), pool_.options_.job_time_limit);
    if (absl::IsDeadlineExceeded(result.status())) {
      // The call runs on; this thread continues with a fresh Prefiller.
      retired_.push_back(std::move(runner_));
    }
    return result;
  }

  void ReapRetiredRunners() {
    std::erase_if(retired_, [](const std::unique_ptr<PrefillRunner>& runner) {
      return !runner->busy();
    });
  }

  absl::StatusOr<Outcome> FinishUnread(const std::string& filing_id) {
    absl::StatusOr<std::optional<records::FilingRow>> started =
        StartPrefill(filing_id);
    if (!started.ok()) return started.status();
    if (!started->has_value()) return Outcome::kNothingToDo;
    // An unknown procedure has no form to leave empty: the officer fills it.
    PrefillResult empty;
    const domain::Procedure* procedure =
        pool_.catalog_.FindProcedure((*started)->procedure_code);
    if (procedure != nullptr) empty.fields = EmptyForm(*procedure, kUnreadable);
    // The history is shown to the citizen: the technical error goes to the
    // dead letter and the log, not here.
    return Finish(filing_id, std::move(empty), kUnreadable);
  }

  // Stores the pre-fill and sends the filing to its desk, if it is still
  // prefilling (a duplicate job may have finished it first).
  absl::StatusOr<Outcome> Finish(const std::string& filing_id,
                                 PrefillResult result,
                                 const std::string& reason) {
    std::vector<cdkv::v1::FilingEvent> events;
    Outcome outcome = Outcome::kNothingToDo;
    const absl::Time now = pool_.options_.clock();
    for (records::FieldRow& field : result.fields) field.filing_id = filing_id;
    absl::Status status =
        pool_.records_.Write([&](records::Tx& tx) -> absl::Status {
          absl::StatusOr<records::FilingRow> filing = tx.GetFiling(filing_id);
          if (!filing.ok()) return filing.status();
          if (filing->state != State::kPrefilling) return absl::OkStatus();
          if (absl::Status s = tx.ReplaceFields(filing_id, result.fields);
              !s.ok()) {
            return s;
          }
          if (absl::Status s = SetDetectedKinds(tx, filing_id, result);
              !s.ok()) {
            return s;
          }
          if (absl::Status s =
                  api::ApplyAction(tx, *filing, Action::kFinishPrefill, actor_,
                                   reason, now, &events);
              !s.ok()) {
            return s;
          }
          if (absl::Status s = AddDeskEnqueue(tx, *filing, now); !s.ok()) {
            return s;
          }
          outcome = Outcome::kFinished;
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
    Publish(events);
    if (outcome == Outcome::kFinished) pool_.poke_outbox_();
    return outcome;
  }

  static absl::Status SetDetectedKinds(records::Tx& tx,
                                       const std::string& filing_id,
                                       const PrefillResult& result) {
    if (result.detected_kinds.empty()) return absl::OkStatus();
    absl::StatusOr<std::vector<records::DocumentRow>> documents =
        tx.Documents(filing_id);
    if (!documents.ok()) return documents.status();
    for (records::DocumentRow& document : *documents) {
      for (const auto& [document_id, kind] : result.detected_kinds) {
        if (document_id != document.document_id ||
            document.detected_kind == kind) {
          continue;
        }
        document.detected_kind = kind;
        if (absl::Status s = tx.UpdateDocument(document); !s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

  void Publish(const std::vector<cdkv::v1::FilingEvent>& events) {
    if (pool_.events_ == nullptr) return;
    for (const auto& event : events) pool_.events_->Publish(event);
  }

  OcrPool& pool_;
  const std::string consumer_;
  const api::Actor actor_;
  std::optional<queue::RedisClient> client_;
  std::optional<queue::JobStream> stream_;
  std::unique_ptr<PrefillRunner> runner_;
  std::vector<std::unique_ptr<PrefillRunner>> retired_;
  absl::Time next_stale_check_ = absl::InfinitePast();
};

OcrPool::OcrPool(records::RecordStore& records, const store::BlobStore& blobs,
                 const domain::Catalog& catalog, api::FilingEvents* events,
                 std::function<void()> poke_outbox, PrefillerFactory factory,
                 Options options)
    : records_(records),
      blobs_(blobs),
      catalog_(catalog),
      events_(events),
      poke_outbox_(std::move(poke_outbox)),
      factory_(std::move(factory)),
      options_(std::move(options)) {
  if (options_.consumer_prefix.empty()) {
    options_.consumer_prefix = ProcessConsumerName("ocr");
  }
}

OcrPool::~OcrPool() { Stop(); }

void OcrPool::Start() {
  if (!threads_.empty()) return;
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    std::string consumer = absl::StrCat(options_.consumer_prefix, "-", i);
    threads_.emplace_back([this, consumer = std::move(consumer)] {
      Worker(*this, consumer).Run();
    });
  }
}

void OcrPool::Stop() {
  wakeup_.Stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace cdkv::workers
