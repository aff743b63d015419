#include "service/accounts.h"

#include <gtest/gtest.h>

#include <chrono>

#include "service_fixture.h"

namespace eventface::service {
namespace {

using ::eventface::testing::ServiceTest;
using store::Role;

class AccountsTest : public ServiceTest {};

TEST(EmailTest, NormalisesAndRefusesWhatIsNotAnAddress) {
  EXPECT_EQ(*NormalizeEmail("  Amy@Example.TEST "), "amy@example.test");
  for (const char* bad :
       {"", "amy", "@example.test", "amy@", "amy@example", "a b@example.test",
        "amy@@example.test", "amy@example.test."}) {
    EXPECT_EQ(NormalizeEmail(bad).error().code, ErrorCode::kInvalidArgument)
        << bad;
  }
}

TEST_P(AccountsTest, CreatedUserLogsInAndIsAuthenticated) {
  Accounts accounts(context());
  auto created = accounts.Create(
      {"Amy@Example.test", " Amy ", Role::kPhotographer, "long enough"});
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->email, "amy@example.test");
  EXPECT_EQ(created->name, "Amy");

  auto session = accounts.Login("AMY@example.test", "long enough");
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_EQ(session->token.size(), 43u);
  auto who = accounts.Authenticate(session->token);
  ASSERT_TRUE(who) << who.error().message;
  EXPECT_EQ(who->user_id, created->user_id);
  EXPECT_EQ(who->role, Role::kPhotographer);
}

TEST_P(AccountsTest, WrongPasswordAndUnknownEmailGetTheSameAnswer) {
  Accounts accounts(context());
  MakeUser("amy@example.test", Role::kAttendee);
  auto wrong = accounts.Login("amy@example.test", "password2");
  auto unknown = accounts.Login("bob@example.test", "password1");
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(unknown.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
}

TEST_P(AccountsTest, SessionsEndAtLogoutAndAtExpiry) {
  Accounts accounts(context(), {std::chrono::hours(1)});
  MakeUser("amy@example.test", Role::kAttendee);
  auto first = accounts.Login("amy@example.test", "password1");
  auto second = accounts.Login("amy@example.test", "password1");
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(accounts.Logout(first->token));
  EXPECT_EQ(accounts.Authenticate(first->token).error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(accounts.Authenticate(second->token));

  clock().Advance(std::chrono::hours(1));
  EXPECT_EQ(accounts.Authenticate(second->token).error().code,
            ErrorCode::kUnauthenticated);
}

TEST_P(AccountsTest, ForgedAndEmptyTokensAreRefused) {
  Accounts accounts(context());
  MakeUser("amy@example.test", Role::kAttendee);
  auto session = accounts.Login("amy@example.test", "password1");
  ASSERT_TRUE(session);
  std::string forged = session->token;
  forged[0] = forged[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(accounts.Authenticate(forged).error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(accounts.Authenticate("").error().code,
            ErrorCode::kUnauthenticated);
}

TEST_P(AccountsTest, BadAccountsAreRefusedAndNothingIsStored) {
  Accounts accounts(context());
  EXPECT_EQ(accounts.Create({"amy", "Amy", Role::kAttendee, "password1"})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(accounts.Create({"a@b.test", "  ", Role::kAttendee, "password1"})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(accounts.Create({"a@b.test", "Amy", Role::kAttendee, "short"})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(*accounts.Count(), 0);
  MakeUser("a@b.test", Role::kAttendee);
  EXPECT_EQ(accounts.Create({"A@B.test", "Amy", Role::kAdmin, "password1"})
                .error()
                .code,
            ErrorCode::kConflict);
  EXPECT_EQ(*accounts.Count(), 1);
}

TEST_P(AccountsTest, OnlyAdminsListAndChangeUsers) {
  Accounts accounts(context());
  Principal admin = MakeUser("root@example.test", Role::kAdmin);
  Principal amy = MakeUser("amy@example.test", Role::kPhotographer);
  EXPECT_EQ(accounts.List(amy).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(
      accounts.Update(amy, amy.user_id, {.role = Role::kAdmin}).error().code,
      ErrorCode::kForbidden);

  auto users = accounts.List(admin);
  ASSERT_TRUE(users);
  EXPECT_EQ(users->size(), 2u);
  ASSERT_TRUE(accounts.Update(admin, amy.user_id,
                              {.name = "Amy B", .password = "new password"}));
  EXPECT_TRUE(accounts.Login("amy@example.test", "new password"));
  EXPECT_FALSE(accounts.Login("amy@example.test", "password1"));
}

EVENTFACE_ALL_BACKENDS(AccountsTest);

}  // namespace
}  // namespace eventface::service
