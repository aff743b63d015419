#include "store/database.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <stdexcept>
#include <thread>
#include <vector>

#include "store/migrations.h"
#include "store/test_database.h"

namespace eventface::store {
namespace {

using ::eventface::testing::DatabaseTest;

int CountMigrations(Database& database) {
  auto count = database.WithReadTransaction([](Transaction& tx) {
    int count = 0;
    tx.sql() << "SELECT COUNT(*) FROM schema_migrations", soci::into(count);
    return Result<int>(count);
  });
  EXPECT_TRUE(count.ok()) << count.error().message;
  return count.ok() ? *count : -1;
}

int CountUsers(Database& database) {
  auto count = database.WithReadTransaction([](Transaction& tx) {
    int count = 0;
    tx.sql() << "SELECT COUNT(*) FROM users", soci::into(count);
    return Result<int>(count);
  });
  return count.ok() ? *count : -1;
}

Status InsertUser(Transaction& tx, const std::string& email) {
  tx.sql() << "INSERT INTO users (email, name, role, password_hash, "
              "created_at) VALUES (:email, 'n', 'attendee', 'h', 0)",
      soci::use(email);
  return Status();
}

class DatabaseBackendTest : public DatabaseTest {};

TEST_P(DatabaseBackendTest, AppliesEveryMigrationOnce) {
  EXPECT_EQ(CountMigrations(database()),
            static_cast<int>(AllMigrations().size()));
}

TEST_P(DatabaseBackendTest, ReopeningAppliesNothingAgain) {
  if (GetParam() == testing::TestBackend::kSqliteMemory) {
    GTEST_SKIP() << "a second open of :memory: is another database";
  }
  for (int i = 0; i < 2; ++i) {
    auto again = Database::Open(options());
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(CountMigrations(**again),
              static_cast<int>(AllMigrations().size()));
  }
}

TEST_P(DatabaseBackendTest, ConcurrentOpenersMigrateOnce) {
  if (GetParam() == testing::TestBackend::kSqliteMemory) {
    GTEST_SKIP() << "a second open of :memory: is another database";
  }
  // The fixture's database is migrated already; what is tested here is
  // that simultaneous openers neither fail nor record a migration twice.
  std::vector<std::thread> openers;
  std::vector<bool> opened(4, false);
  for (size_t i = 0; i < opened.size(); ++i) {
    openers.emplace_back([&, i] {
      DatabaseOptions options = this->options();
      options.pool_size = 1;
      opened[i] = Database::Open(options).ok();
    });
  }
  for (std::thread& opener : openers) opener.join();
  for (bool ok : opened) EXPECT_TRUE(ok);
  EXPECT_EQ(CountMigrations(database()),
            static_cast<int>(AllMigrations().size()));
}

TEST_P(DatabaseBackendTest, CommitsWhenTheBodySucceeds) {
  Status status = database().WithTransaction(
      [](Transaction& tx) { return InsertUser(tx, "a@example.test"); });
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(CountUsers(database()), 1);
}

TEST_P(DatabaseBackendTest, RollsBackWhenTheBodyReturnsAnError) {
  Status status = database().WithTransaction([](Transaction& tx) -> Status {
    Status inserted = InsertUser(tx, "a@example.test");
    if (!inserted.ok()) return inserted;
    return Error{ErrorCode::kInvalidArgument, "changed my mind"};
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "changed my mind");
  EXPECT_EQ(CountUsers(database()), 0);
}

TEST_P(DatabaseBackendTest, RollsBackWhenTheBodyThrows) {
  Status status = database().WithTransaction([](Transaction& tx) -> Status {
    (void)InsertUser(tx, "a@example.test");
    throw std::runtime_error("boom");
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInternal);
  EXPECT_EQ(CountUsers(database()), 0);
}

TEST_P(DatabaseBackendTest, TurnsSqlErrorsIntoErrors) {
  Status status = database().WithTransaction([](Transaction& tx) -> Status {
    Status first = InsertUser(tx, "same@example.test");
    if (!first.ok()) return first;
    return InsertUser(tx, "same@example.test");  // email is unique
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInternal);
  EXPECT_EQ(CountUsers(database()), 0);
}

TEST_P(DatabaseBackendTest, EnforcesForeignKeys) {
  Status status = database().WithTransaction([](Transaction& tx) -> Status {
    tx.sql() << "INSERT INTO sessions (token_hash, user_id, created_at, "
                "expires_at) VALUES ('t', 12345, 0, 0)";
    return Status();
  });
  EXPECT_FALSE(status.ok());
}

TEST_P(DatabaseBackendTest, ReturnsValuesFromTransactions) {
  Result<int> answer = database().WithReadTransaction(
      [](Transaction&) -> Result<int> { return 42; });
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(*answer, 42);
}

EVENTFACE_ALL_BACKENDS(DatabaseBackendTest);

TEST(DatabaseTest, FailsWithIoErrorWhenPostgresIsUnreachable) {
  // Port 1 on the loopback: nothing listens there.
  auto database =
      Database::Open({.url = "postgresql://nobody:secret@127.0.0.1:1/none"});
  ASSERT_FALSE(database.ok());
  EXPECT_EQ(database.error().code, ErrorCode::kIoError);
  EXPECT_EQ(database.error().message.find("secret"), std::string::npos)
      << database.error().message;
}

}  // namespace
}  // namespace eventface::store
