// STAT lines and item dumps in memcached 1.6.18's formats.
#include "ringcache/protocol/stats_writer.h"

#include <string>

#include "gtest/gtest.h"

namespace ringcache::protocol {
namespace {

class StatsWriterTest : public ::testing::Test {
 protected:
  std::string Take() {
    std::string s;
    out_.CopyTo(&s);
    out_.Clear();
    return s;
  }
  base::BlockPool pool_{512};
  base::OutBuffer out_{&pool_};
};

TEST_F(StatsWriterTest, FormatsEveryKindOfValue) {
  StatsWriter w(out_);
  w.Add("pid", uint64_t{1234});
  w.AddSigned("signed", -5);
  w.Add("version", "1.6.18");
  w.Add("empty", "");
  w.AddYesNo("cas_enabled", true);
  w.AddYesNo("evictions", false);
  w.AddFixed("growth_factor", 1.25, 2);
  w.AddFixed("slab_automove_freeratio", 0.01, 3);
  w.AddTimeval("rusage_user", 3, 4567);
  w.AddOctal("umask", 0700);
  w.AddIndexed("items", 1, "number", uint64_t{5});
  w.AddIndexed("", 12, "chunk_size", uint64_t{96});
  w.AddIndexed("", 7, "addr", "tcp:127.0.0.1:11211");
  w.End();
  EXPECT_EQ(Take(),
            "STAT pid 1234\r\n"
            "STAT signed -5\r\n"
            "STAT version 1.6.18\r\n"
            "STAT empty\r\n"
            "STAT cas_enabled yes\r\n"
            "STAT evictions no\r\n"
            "STAT growth_factor 1.25\r\n"
            "STAT slab_automove_freeratio 0.010\r\n"
            "STAT rusage_user 3.004567\r\n"
            "STAT umask 700\r\n"
            "STAT items:1:number 5\r\n"
            "STAT 12:chunk_size 96\r\n"
            "STAT 7:addr tcp:127.0.0.1:11211\r\n"
            "END\r\n");
}

TEST_F(StatsWriterTest, LinesSpanBlocks) {
  StatsWriter w(out_);
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    const std::string name = "stat_number_" + std::to_string(i);
    w.Add(name, uint64_t(i) * 1000003);
    expected += "STAT " + name + " " + std::to_string(uint64_t(i) * 1000003) + "\r\n";
  }
  EXPECT_EQ(Take(), expected);
}

TEST_F(StatsWriterTest, CachedumpAndMetadumpLines) {
  AppendCachedumpItem(out_, "foo", 3, 0);
  AppendCachedumpItem(out_, "bar", 10, 1700000000);
  EXPECT_EQ(CachedumpItemLength("foo", 3, 0), 21u);
  EXPECT_EQ(CachedumpItemLength("bar", 10, 1700000000), 31u);
  EXPECT_EQ(Take(), "ITEM foo [3 b; 0 s]\r\nITEM bar [10 b; 1700000000 s]\r\n");
  MetadumpItem item;
  item.key = "a b/c~";
  item.last_access_unix = 1700000001;
  item.cas = 7;
  item.size_class = 1;
  item.total_size = 66;
  AppendMetadumpItem(out_, item);
  item.expiry_unix = 1700000100;
  item.fetched = true;
  const std::string binary_key("\x01\xff", 2);
  item.key = binary_key;
  AppendMetadumpItem(out_, item);
  EXPECT_EQ(Take(),
            "key=a%20b%2Fc~ exp=-1 la=1700000001 cas=7 fetch=no cls=1 size=66\n"
            "key=%01%FF exp=1700000100 la=1700000001 cas=7 fetch=yes cls=1 size=66\n");
}

TEST_F(StatsWriterTest, DetailDumpLines) {
  AppendDetailPrefix(out_, "user", 10, 7, 3, 1);
  StatsWriter(out_).End();
  EXPECT_EQ(Take(), "PREFIX user get 10 hit 7 set 3 del 1\r\nEND\r\n");
}

}  // namespace
}  // namespace ringcache::protocol
