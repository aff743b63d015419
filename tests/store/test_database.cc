#include "store/test_database.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>

#include "store/database_url.h"

namespace eventface::testing {

namespace {

// A name no other test process uses at the same time.
std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::random_device random;
  return prefix + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
         "_" + std::to_string(random() % 100000);
}

// Runs one statement on the test server, outside any schema of a test.
void ExecuteOnServer(const std::string& statement) {
  auto url = store::ParseDatabaseUrl(TestPostgresUrl());
  ASSERT_TRUE(url.ok()) << url.error().message;
  soci::session sql(soci::postgresql, url->connect_string);
  sql << "SET client_min_messages = warning";  // no NOTICE per dropped table
  sql << statement;
}

}  // namespace

std::string TestBackendName(const ::testing::TestParamInfo<TestBackend>& info) {
  switch (info.param) {
    case TestBackend::kSqliteFile:
      return "SqliteFile";
    case TestBackend::kSqliteMemory:
      return "SqliteMemory";
    case TestBackend::kPostgres:
      return "Postgres";
  }
  return "Unknown";
}

std::string TestPostgresUrl() {
  const char* url = std::getenv("EVENTFACE_TEST_PG");
  return url ? url : "";
}

void DatabaseTest::SetUp() {
  switch (GetParam()) {
    case TestBackend::kSqliteFile: {
      std::string folder =
          (std::filesystem::temp_directory_path() / "eventface-db-XXXXXX")
              .string();
      ASSERT_NE(::mkdtemp(folder.data()), nullptr);
      folder_ = folder;
      options_.url = "sqlite:" + (folder_ / "test.db").string();
      break;
    }
    case TestBackend::kSqliteMemory:
      options_.url = "sqlite::memory:";
      break;
    case TestBackend::kPostgres: {
      std::string server = TestPostgresUrl();
      if (server.empty()) {
        GTEST_SKIP() << "EVENTFACE_TEST_PG is not set: no PostgreSQL to test "
                        "on (scripts/test.sh starts one)";
      }
      schema_ = UniqueName("test_");
      ASSERT_NO_FATAL_FAILURE(ExecuteOnServer("CREATE SCHEMA " + schema_));
      options_.url = server +
                     (server.find('?') == std::string::npos ? "?" : "&") +
                     "options=-csearch_path%3D" + schema_;
      break;
    }
  }
  auto opened = store::Database::Open(options_);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  database_ = std::move(*opened);
}

void DatabaseTest::TearDown() {
  database_.reset();
  if (!folder_.empty()) std::filesystem::remove_all(folder_);
  if (!schema_.empty()) ExecuteOnServer("DROP SCHEMA " + schema_ + " CASCADE");
}

int64_t DatabaseTest::AddEvent(const std::string& code) {
  auto id = database().WithTransaction([&](store::Transaction& tx) {
    std::string email = code + "@photographer.test";
    long long owner = 0;
    long long event = 0;
    tx.sql() << "INSERT INTO users (email, name, role, password_hash, "
                "created_at) VALUES (:email, 'P', 'photographer', 'x', 0) "
                "RETURNING id",
        soci::use(email), soci::into(owner);
    tx.sql() << "INSERT INTO events (owner_id, name, code, event_date, "
                "created_at) VALUES (:owner, 'E', :code, 0, 0) RETURNING id",
        soci::use(owner), soci::use(code), soci::into(event);
    return Result<int64_t>(event);
  });
  EXPECT_TRUE(id.ok()) << id.error().message;
  return id.ok() ? *id : 0;
}

int64_t DatabaseTest::AddAttendee(const std::string& email) {
  auto id = database().WithTransaction([&](store::Transaction& tx) {
    long long user = 0;
    tx.sql() << "INSERT INTO users (email, name, role, password_hash, "
                "created_at) VALUES (:email, 'A', 'attendee', 'x', 0) "
                "RETURNING id",
        soci::use(email), soci::into(user);
    return Result<int64_t>(user);
  });
  EXPECT_TRUE(id.ok()) << id.error().message;
  return id.ok() ? *id : 0;
}

}  // namespace eventface::testing
