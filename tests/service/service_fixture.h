// A fixture for use-case tests: a fresh database on each back end, a media
// folder of its own, a job queue and a fake clock.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.h"
#include "jobs/job_queue.h"
#include "service/accounts.h"
#include "service/service_context.h"
#include "store/media_folder.h"
#include "store/test_database.h"

namespace eventface::testing {

class ServiceTest : public DatabaseTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  service::ServiceContext& context() { return *context_; }
  jobs::JobQueue& queue() { return *queue_; }
  FakeClock& clock() { return clock_; }
  const store::MediaFolder& media() { return *media_; }

  // A new account with `role`, created through the use case.
  service::Principal MakeUser(const std::string& email, store::Role role);

  // How many times the context's wake_workers hook ran.
  int wakes() const { return wakes_; }

 private:
  FakeClock clock_;
  std::filesystem::path media_root_;
  std::unique_ptr<store::MediaFolder> media_;
  std::unique_ptr<jobs::JobQueue> queue_;
  std::unique_ptr<service::ServiceContext> context_;
  int wakes_ = 0;
};

}  // namespace eventface::testing
