// PeekTextRequest: the keys the look-ahead hints and where it steps next,
// over pipelines of every keyed command, value blocks stepped over, odd
// lines, and every prefix of a pipeline (read from an exactly sized buffer,
// so the ASan build catches a read past the end).
#include "ringcache/protocol/text_peek.h"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::protocol {
namespace {

// The keys PeekTextRequest sees walking `data` from the start ("-" for a
// request naming none), and where the walk stopped.
std::vector<std::string> Walk(std::string_view data, uint64_t* stopped = nullptr) {
  std::vector<std::string> keys;
  uint64_t pos = 0;
  PeekedRequest r;
  while (pos < data.size() && PeekTextRequest(data, static_cast<size_t>(pos), &r)) {
    EXPECT_GT(r.next, pos);
    keys.push_back(r.key.empty() ? "-" : std::string(r.key));
    pos = r.next;
  }
  if (stopped != nullptr) *stopped = pos;
  return keys;
}

using Keys = std::vector<std::string>;

TEST(TextPeekTest, KeyedCommandsNameTheirFirstKey) {
  EXPECT_EQ(Walk("get a\r\ngets b c\r\nmg d v\r\nmd e q\r\nma f\r\ndelete g\r\n"
                 "incr h 1\r\ndecr i 1\r\ntouch j 10\r\n"),
            (Keys{"a", "b", "d", "e", "f", "g", "h", "i", "j"}));
  // No key first, or not a command this knows.
  EXPECT_EQ(Walk("gat 10 a\r\ngats 1 b\r\nmn\r\nversion\r\nstats\r\n get a\r\nGET a\r\n"
                 "mx a\r\nlru_crawler metadump all\r\n"),
            (Keys{"-", "-", "-", "-", "-", "-", "-", "-", "-"}));
  // Bare "\n" ends lines too; a key ends at any byte below '!'.
  EXPECT_EQ(Walk("get a\nget b\tc\r\nget \r\nget  x\r\n"), (Keys{"a", "b", "-", "-"}));
}

TEST(TextPeekTest, StorageValueBlocksAreSteppedOver) {
  // Value blocks that look like requests are not read as requests.
  EXPECT_EQ(Walk("set a 0 0 10\r\nget zzzz\r\n\r\nadd b 1 2 3 noreply\r\nabc\r\n"
                 "replace c 0 0 0\r\n\r\nappend d 0 0 1\r\nx\r\nprepend e 0 0 1\r\ny\r\n"
                 "cas f 0 0 2 77\r\nzz\r\nms g 6 T0\r\nget q\n\r\nget h\r\n"),
            (Keys{"a", "b", "c", "d", "e", "f", "g", "h"}));
  // A length it cannot read: only the line is stepped over (the parser
  // does the same for these lines: they are errors).
  EXPECT_EQ(Walk("set a 0 0 -1\r\nget b\r\nset c 0 0 12345678901\r\nget d\r\n"
                 "set e 0 0 x\r\nget f\r\nset g 0\r\nget h\r\n"),
            (Keys{"a", "b", "c", "d", "e", "f", "g", "h"}));
  // Odd spacing: no length read (a hint is only a hint).
  EXPECT_EQ(Walk("set a  0 0 1\r\nget b\r\n"), (Keys{"a", "b"}));
  EXPECT_EQ(Walk("set a 0  0 1\r\nget b\r\n"), (Keys{"a", "b"}));
  // Long flags and exptime (read token by token), cas and noreply after
  // the length, ms flags.
  EXPECT_EQ(Walk("set a 4294967295 1767225600 3\r\nget\r\nget b\r\n"
                 "cas c 1 2 3 18446744073709551615 noreply\r\nget\r\nms d 3 T0 F5 q\r\nget\r\n"
                 "get e\r\n"),
            (Keys{"a", "b", "c", "d", "e"}));
  // A line end among the arguments ends the line there.
  EXPECT_EQ(Walk("set a 1\n2 3 4\r\nget b\r\n"), (Keys{"a", "-", "b"}));
  EXPECT_EQ(Walk("set a 0\n0 5\r\nget b\r\n"), (Keys{"a", "-", "b"}));
  EXPECT_EQ(Walk("set a 1 2\n3\r\nget b\r\n"), (Keys{"a", "-", "b"}));
}

TEST(TextPeekTest, WhereTheNextRequestBegins) {
  PeekedRequest r;
  ASSERT_TRUE(PeekTextRequest("set k 0 0 5\r\nhello\r\nget b\r\n", 0, &r));
  EXPECT_EQ(r.key, "k");
  EXPECT_EQ(r.next, 13u + 5 + 2);
  // The value block is still to come: `next` lies beyond the data.
  ASSERT_TRUE(PeekTextRequest("set k 0 0 4000000000\r\nab", 0, &r));
  EXPECT_EQ(r.next, 22u + 4000000000u + 2);
  ASSERT_TRUE(PeekTextRequest("xx get k\r\nget j\r\n", 3, &r));
  EXPECT_EQ(r.key, "k");
  EXPECT_EQ(r.next, 10u);
  EXPECT_FALSE(PeekTextRequest("get k\r\n", 7, &r));
  EXPECT_FALSE(PeekTextRequest("get k\r", 0, &r));
  EXPECT_FALSE(PeekTextRequest("", 0, &r));
}

TEST(TextPeekTest, KeysOfMoreThan250BytesAreNotHinted) {
  const std::string k250(250, 'k');
  const std::string k251(251, 'k');
  EXPECT_EQ(Walk("get " + k250 + "\r\nget " + k251 + "\r\nset " + k251 + " 0 0 1\r\nget a\r\n"),
            (Keys{k250, "-", "-", "a"}));
}

TEST(TextPeekTest, EveryPrefixStopsAtTheLastCompleteLine) {
  const std::string pipeline =
      "get alpha\r\nset beta 1 2 3 noreply\r\nabc\r\nmg gamma v\r\ncas d 0 0 1 5\r\nx\r\n"
      "ms e 2 T1\r\nyz\r\ngat 1 f\r\nget " +
      std::string(250, 'g') + "\r\ndelete h\n";
  const Keys all = Walk(pipeline);
  ASSERT_EQ(all, (Keys{"alpha", "beta", "gamma", "d", "e", "-", std::string(250, 'g'), "h"}));
  for (size_t cut = 0; cut <= pipeline.size(); ++cut) {
    // An exactly sized copy: any read past `cut` is outside the allocation.
    std::unique_ptr<char[]> copy(new char[cut == 0 ? 1 : cut]);
    std::memcpy(copy.get(), pipeline.data(), cut);
    const std::string_view prefix(copy.get(), cut);
    uint64_t stopped = 0;
    const Keys keys = Walk(prefix, &stopped);
    ASSERT_LE(keys.size(), all.size()) << cut;
    EXPECT_TRUE(std::equal(keys.begin(), keys.end(), all.begin())) << cut;
    // It stops only where no complete line starts (or past a value block
    // that has not fully arrived).
    if (stopped < cut) {
      EXPECT_EQ(prefix.find('\n', static_cast<size_t>(stopped)), std::string_view::npos) << cut;
    }
  }
}

}  // namespace
}  // namespace ringcache::protocol
