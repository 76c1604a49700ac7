// Verified values: what one writer fills, any reader accepts for the same
// key, and rejects for another key or after any change.

#include "value_codec.h"

#include <string>

#include "gtest/gtest.h"

namespace ringcache::ringload {
namespace {

std::string Make(const ValueCodec& codec, std::string_view key, uint64_t version, size_t len) {
  std::string v(len, '\0');
  codec.Fill(key, version, v.data(), len);
  return v;
}

TEST(ValueCodecTest, RoundTripsAtEverySize) {
  const ValueCodec codec;
  for (const size_t len : {32, 33, 63, 64, 65, 100, 1000, 4096, 100'000}) {
    const std::string v = Make(codec, "k00000000042", 77, len);
    uint64_t version = 0;
    EXPECT_EQ(codec.Check("k00000000042", v, &version), VerifyResult::kOk) << len;
    EXPECT_EQ(version, 77u);
  }
}

TEST(ValueCodecTest, AnotherInstanceAgrees) {
  // A later run (a fresh codec) verifies what an earlier one wrote.
  const std::string v = Make(ValueCodec(), "user:1", 123456789, 200);
  EXPECT_EQ(ValueCodec().Check("user:1", v), VerifyResult::kOk);
  EXPECT_EQ(v.substr(0, 16), "00000000075bcd15");  // the version, readable
}

TEST(ValueCodecTest, DetectsWrongKeyAndEveryByteChanged) {
  const ValueCodec codec;
  const std::string v = Make(codec, "k1", 5, 80);
  EXPECT_EQ(codec.Check("k2", v), VerifyResult::kBadChecksum);
  for (size_t i = 0; i < v.size(); ++i) {
    std::string bad = v;
    bad[i] ^= 0x01;
    EXPECT_NE(codec.Check("k1", bad), VerifyResult::kOk) << "byte " << i;
  }
}

TEST(ValueCodecTest, DetectsTruncationAndGrowth) {
  const ValueCodec codec;
  const std::string v = Make(codec, "k", 9, 64);
  EXPECT_EQ(codec.Check("k", v.substr(0, 31)), VerifyResult::kTooShort);
  EXPECT_NE(codec.Check("k", v.substr(0, 48)), VerifyResult::kOk);
  EXPECT_NE(codec.Check("k", v + "x"), VerifyResult::kOk);
  EXPECT_NE(codec.Check("k", v.substr(1)), VerifyResult::kOk);
}

TEST(ValueCodecTest, DifferentVersionsDiffer) {
  const ValueCodec codec;
  const std::string a = Make(codec, "k", 1, 64);
  const std::string b = Make(codec, "k", 2, 64);
  EXPECT_NE(a, b);
  // Splicing one version's header onto another's body fails.
  std::string spliced = b.substr(0, 16) + a.substr(16);
  EXPECT_EQ(codec.Check("k", spliced), VerifyResult::kBadChecksum);
  EXPECT_EQ(codec.Check("k", std::string(64, 'z')), VerifyResult::kBadVersion);
}

}  // namespace
}  // namespace ringcache::ringload
