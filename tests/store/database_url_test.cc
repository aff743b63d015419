#include "store/database_url.h"

#include <gtest/gtest.h>

namespace eventface::store {
namespace {

TEST(DatabaseUrlTest, ReadsAPlainPathAsSqlite) {
  auto url = ParseDatabaseUrl("./data/eventface.db");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->backend, Backend::kSqlite);
  EXPECT_EQ(url->sqlite_path, "./data/eventface.db");
  EXPECT_EQ(url->connect_string, "db=./data/eventface.db");
}

TEST(DatabaseUrlTest, ReadsTheSqlitePrefix) {
  auto url = ParseDatabaseUrl("sqlite::memory:");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->backend, Backend::kSqlite);
  EXPECT_EQ(url->sqlite_path, ":memory:");
}

TEST(DatabaseUrlTest, TurnsAPostgresUrlIntoKeywords) {
  auto url = ParseDatabaseUrl(
      "postgresql://ev:p%40ss@db.local:5433/photos?sslmode=disable");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->backend, Backend::kPostgres);
  EXPECT_EQ(url->connect_string,
            "dbname=photos user=ev password=p@ss port=5433 host=db.local "
            "sslmode=disable");
  EXPECT_EQ(url->redacted,
            "postgresql://ev:***@db.local:5433/photos?sslmode=disable");
}

TEST(DatabaseUrlTest, AcceptsASocketFolderAndOptions) {
  auto url = ParseDatabaseUrl(
      "postgres:///test?host=/tmp/pg&options=-csearch_path%3Ds1");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->connect_string,
            "dbname=test host=/tmp/pg options=-csearch_path=s1");
}

TEST(DatabaseUrlTest, RejectsWhatSociCannotCarry) {
  EXPECT_FALSE(ParseDatabaseUrl("").ok());
  EXPECT_FALSE(ParseDatabaseUrl("postgresql://h:port/db").ok());
  EXPECT_FALSE(
      ParseDatabaseUrl("postgresql://h/db?application_name=a%20b").ok());
  EXPECT_FALSE(ParseDatabaseUrl("postgresql://h/db?novalue").ok());
  EXPECT_FALSE(ParseDatabaseUrl("my photos.db").ok());
}

}  // namespace
}  // namespace eventface::store
