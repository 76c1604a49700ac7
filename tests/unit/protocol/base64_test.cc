// Base64 for meta binary keys: standard encoding, memcached 1.6.18's
// decoding rules (skipped bytes, group count, padding ends the input).
#include "ringcache/protocol/base64.h"

#include <string>

#include "gtest/gtest.h"

namespace ringcache::protocol {
namespace {

std::string Encode(std::string_view in) {
  std::string out(Base64EncodedSize(in.size()), '\0');
  out.resize(Base64Encode(in, out.data()));
  return out;
}

// Returns "!" for refused input.
std::string Decode(std::string_view in) {
  std::string out(Base64DecodedBound(in.size()) + 3, '\0');
  const size_t n = Base64Decode(in, out.data(), out.size());
  return n == 0 ? "!" : out.substr(0, n);
}

TEST(Base64Test, EncodesStandardVectors) {
  EXPECT_EQ(Encode(""), "");
  EXPECT_EQ(Encode("f"), "Zg==");
  EXPECT_EQ(Encode("fo"), "Zm8=");
  EXPECT_EQ(Encode("foo"), "Zm9v");
  EXPECT_EQ(Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Encode(std::string("\0\xff\xfe", 3)), "AP/+");
}

TEST(Base64Test, DecodesLikeMemcached) {
  EXPECT_EQ(Decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(Decode("Zg=="), "f");
  EXPECT_EQ(Decode("Zm8="), "fo");
  EXPECT_EQ(Decode("Zm9v!"), "foo") << "bytes outside the alphabet are skipped";
  EXPECT_EQ(Decode("Zm\n9v"), "foo");
  EXPECT_EQ(Decode("Zg==Zm9v"), "f") << "a padded group ends the input";
  EXPECT_EQ(Decode("Z=g="), std::string(1, 'd')) << "padding counts wherever it is";
  EXPECT_EQ(Decode("foo"), "!") << "not a multiple of four";
  EXPECT_EQ(Decode("Zm9v="), "!");
  EXPECT_EQ(Decode(""), "!");
  EXPECT_EQ(Decode("!!!!"), "!");
  EXPECT_EQ(Decode("Z==="), "!") << "three padding bytes";
  EXPECT_EQ(Decode("===="), "!");
}

TEST(Base64Test, DecodesInPlaceAndRefusesSmallOutput) {
  std::string buf = "Zm9vYmFy";
  const size_t n = Base64Decode(buf, buf.data(), buf.size());
  EXPECT_EQ(buf.substr(0, n), "foobar");
  char small[2];
  EXPECT_EQ(Base64Decode("Zm9v", small, sizeof(small)), 0u);
}

TEST(Base64Test, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t len = 1; len <= all.size(); len += 17) {
    const std::string in = all.substr(256 - len);
    EXPECT_EQ(Decode(Encode(in)), in) << len;
  }
}

}  // namespace
}  // namespace ringcache::protocol
