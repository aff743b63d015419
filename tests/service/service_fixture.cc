#include "service_fixture.h"

#include <stdlib.h>

namespace eventface::testing {

void ServiceTest::SetUp() {
  DatabaseTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  std::string root =
      (std::filesystem::temp_directory_path() / "eventface-media-XXXXXX")
          .string();
  ASSERT_NE(::mkdtemp(root.data()), nullptr);
  media_root_ = root;
  media_ = std::make_unique<store::MediaFolder>(media_root_);
  queue_ = std::make_unique<jobs::JobQueue>(database(), clock_);
  context_ = std::make_unique<service::ServiceContext>(service::ServiceContext{
      database(), *media_, *queue_, clock_, [this] { ++wakes_; }});
}

void ServiceTest::TearDown() {
  context_.reset();
  queue_.reset();
  if (!media_root_.empty()) std::filesystem::remove_all(media_root_);
  DatabaseTest::TearDown();
}

service::Principal ServiceTest::MakeUser(const std::string& email,
                                         store::Role role) {
  service::Accounts accounts(context());
  auto user = accounts.Create({email, "User " + email, role, "password1"});
  EXPECT_TRUE(user) << user.error().message;
  return user ? *user : service::Principal{};
}

}  // namespace eventface::testing
