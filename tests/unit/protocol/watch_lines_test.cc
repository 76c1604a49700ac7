// Watch log lines in memcached 1.6.18's formats (memcached_reference_test.cc
// compares them with a live watcher too).
#include "ringcache/protocol/watch_lines.h"

#include <string>

#include "gtest/gtest.h"

namespace ringcache::protocol {
namespace {

class WatchLinesTest : public ::testing::Test {
 protected:
  std::string Take() {
    std::string s;
    out_.CopyTo(&s);
    out_.Clear();
    return s;
  }
  base::BlockPool pool_;
  base::OutBuffer out_{&pool_};
  WatchStamp stamp_{1700000000, 5123, 42};
};

TEST_F(WatchLinesTest, ItemEvents) {
  AppendWatchItemGet(out_, stamp_, "foo", WatchGetStatus::kNotFound, 0, 17, 0);
  EXPECT_EQ(Take(),
            "ts=1700000000.5123 gid=42 type=item_get key=foo status=not_found clsid=0 cfd=17 "
            "size=0\n")
      << "microseconds are not zero-padded, as memcached's %d prints them";
  AppendWatchItemStore(out_, stamp_, "a b", WatchStoreStatus::kStored, WatchStoreCommand::kSet, 0,
                       1, 9, 3);
  EXPECT_EQ(Take(),
            "ts=1700000000.5123 gid=42 type=item_store key=a%20b status=stored cmd=set ttl=0 "
            "clsid=1 cfd=9 size=3\n");
  AppendWatchEviction(out_, stamp_, "k", true, -1, 30, 2, 100);
  EXPECT_EQ(Take(),
            "ts=1700000000.5123 gid=42 type=eviction key=k fetch=yes ttl=-1 la=30 clsid=2 "
            "size=100\n");
}

TEST_F(WatchLinesTest, LongestKeyIsFullyEncoded) {
  AppendWatchItemStore(out_, stamp_, std::string(250, '#'), WatchStoreStatus::kStored,
                       WatchStoreCommand::kSet, 0, 1, 9, 9);
  const std::string line = Take();
  const size_t start = line.find("key=");
  const size_t end = line.find(' ', start);
  EXPECT_EQ(end - start, 250 * 3 + 4) << "t/watcher.t checks this length";
}

TEST_F(WatchLinesTest, ConnectionEventsTextAndSkips) {
  AppendWatchConnNew(out_, stamp_, "127.0.0.1", 40000, WatchTransport::kTcp, 25);
  AppendWatchConnClose(out_, stamp_, "unix", 0, WatchTransport::kLocal, WatchCloseReason::kNormal,
                       25);
  AppendWatchText(out_, stamp_, "type=something detail=1");
  AppendWatchSkipped(out_, 12);
  EXPECT_EQ(Take(),
            "ts=1700000000.5123 gid=42 type=conn_new rip=127.0.0.1 rport=40000 transport=tcp "
            "cfd=25\n"
            "ts=1700000000.5123 gid=42 type=conn_close rip=unix rport=0 transport=local "
            "reason=normal cfd=25\n"
            "ts=1700000000.5123 gid=42 type=something detail=1\n"
            "skipped=12\n");
}

}  // namespace
}  // namespace ringcache::protocol
