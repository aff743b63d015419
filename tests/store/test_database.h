#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "store/database.h"

namespace eventface::testing {

// The back ends every store and jobs test runs on.
enum class TestBackend {
  kSqliteFile,    // a file in a fresh temporary folder
  kSqliteMemory,  // ":memory:", one session
  kPostgres,      // a fresh schema on $EVENTFACE_TEST_PG
};

// "SqliteFile", "SqliteMemory", "Postgres": test name suffixes.
std::string TestBackendName(const ::testing::TestParamInfo<TestBackend>& info);

// The PostgreSQL server for tests ($EVENTFACE_TEST_PG), or "" if unset.
std::string TestPostgresUrl();

// A fixture for tests that run on each back end: SetUp() opens a fresh,
// migrated database (skipping the test, with the reason, when the back end
// is PostgreSQL and EVENTFACE_TEST_PG is unset); TearDown() closes it and
// removes its file or schema.
class DatabaseTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  store::Database& database() { return *database_; }

  // Options that open the same database again, as another process would.
  // For kSqliteMemory they open a different, empty database.
  store::DatabaseOptions options() const { return options_; }

  // Adds a photographer and an event of theirs; returns the event's id.
  int64_t AddEvent(const std::string& code = "ABCDEFGH");

  // Adds an attendee; returns the user's id.
  int64_t AddAttendee(const std::string& email);

 private:
  store::DatabaseOptions options_;
  std::unique_ptr<store::Database> database_;
  std::filesystem::path folder_;  // kSqliteFile
  std::string schema_;            // kPostgres
};

// Instantiates DatabaseTest-derived `suite` on every back end.
#define EVENTFACE_ALL_BACKENDS(suite)                                     \
  INSTANTIATE_TEST_SUITE_P(                                               \
      Backends, suite,                                                    \
      ::testing::Values(::eventface::testing::TestBackend::kSqliteFile,   \
                        ::eventface::testing::TestBackend::kSqliteMemory, \
                        ::eventface::testing::TestBackend::kPostgres),    \
      ::eventface::testing::TestBackendName)

}  // namespace eventface::testing
