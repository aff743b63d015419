#include "testing/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace eventface::testing {
namespace {

TEST(Sha256Test, MatchesKnownDigests) {
  Sha256 empty;
  EXPECT_EQ(empty.HexDigest(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 abc;
  abc.Update(reinterpret_cast<const uint8_t*>("abc"), 3);
  EXPECT_EQ(abc.HexDigest(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string long_text(1000, 'a');  // spans several blocks
  Sha256 longer;
  longer.Update(reinterpret_cast<const uint8_t*>(long_text.data()),
                long_text.size());
  EXPECT_EQ(longer.HexDigest(),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

}  // namespace
}  // namespace eventface::testing
