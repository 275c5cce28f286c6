#include "workers/prefill_runner.h"

#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"

namespace cdkv::workers {

PrefillRunner::PrefillRunner(std::unique_ptr<Prefiller> prefiller)
    : prefiller_(std::move(prefiller)), thread_([this] { Loop(); }) {}

PrefillRunner::~PrefillRunner() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

bool PrefillRunner::busy() {
  absl::MutexLock lock(&mu_);
  return running_ || task_.has_value();
}

absl::StatusOr<PrefillResult> PrefillRunner::Run(
    const domain::Procedure& procedure, std::vector<DocumentInput> docs,
    absl::Duration limit) {
  absl::MutexLock lock(&mu_);
  if (running_ || task_.has_value()) {
    return absl::FailedPreconditionError(
        "the prefiller is still busy with an abandoned job");
  }
  result_.reset();
  task_ = Task{&procedure, std::move(docs)};
  auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return result_.has_value();
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&done), limit)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "pre-fill took longer than ", absl::FormatDuration(limit)));
  }
  absl::StatusOr<PrefillResult> result = *std::move(result_);
  result_.reset();
  return result;
}

void PrefillRunner::Loop() {
  while (true) {
    Task task;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || task_.has_value();
      };
      mu_.Await(absl::Condition(&ready));
      if (!task_.has_value()) return;  // Stopping and idle.
      task = *std::move(task_);
      task_.reset();
      running_ = true;
    }
    absl::StatusOr<PrefillResult> result;
    try {
      result = prefiller_->Prefill(*task.procedure, task.docs);
    } catch (const std::exception& e) {
      result = absl::InternalError(
          absl::StrCat("prefiller threw an exception: ", e.what()));
    } catch (...) {
      result = absl::InternalError("prefiller threw a non-standard exception");
    }
    absl::MutexLock lock(&mu_);
    running_ = false;
    result_ = std::move(result);
  }
}

}  // namespace cdkv::workers
