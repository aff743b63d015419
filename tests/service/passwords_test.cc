#include "service/passwords.h"

#include <gtest/gtest.h>

#include <string>

namespace eventface::service {
namespace {

TEST(PasswordsTest, HashVerifiesOnlyItsPassword) {
  auto hash = HashPassword("correct horse battery");
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse batter", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
}

TEST(PasswordsTest, SamePasswordGetsDifferentSalts) {
  auto first = HashPassword("same password");
  auto second = HashPassword("same password");
  ASSERT_TRUE(first && second);
  EXPECT_NE(*first, *second);
}

TEST(PasswordsTest, MalformedHashNeverVerifies) {
  EXPECT_FALSE(VerifyPassword("anything", ""));
  EXPECT_FALSE(VerifyPassword("anything", "$argon2id$v=19$garbage"));
}

TEST(PasswordsTest, RulesRefuseShortAndHugePasswords) {
  EXPECT_EQ(CheckPasswordRules("1234567").error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(CheckPasswordRules("12345678"));
  EXPECT_TRUE(CheckPasswordRules(std::string(kMaxPasswordLength, 'x')));
  EXPECT_FALSE(CheckPasswordRules(std::string(kMaxPasswordLength + 1, 'x')));
}

}  // namespace
}  // namespace eventface::service
