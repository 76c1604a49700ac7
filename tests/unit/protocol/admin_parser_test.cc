// Admin and informational commands (stats, flush_all, verbosity, shutdown,
// cache_memlimit, slabs, lru_crawler, watch, lru, extstore, refresh_certs):
// arguments, immediate errors and the errors deferred until the server has
// checked its settings, each case fed whole, split at every byte, and byte
// by byte.
#include <string>
#include <vector>

#include "gtest/gtest.h"

#include "parser_harness.h"

namespace ringcache::protocol {
namespace {

using testing::ExpectSameAtEverySplit;
using testing::ParseCase;

std::string Junk(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += " x";
  return s;
}

std::vector<ParseCase> Cases() {
  return {
      // --- stats ---
      {"stats\r\n", {"stats"}},
      {"stats reset\r\n", {"stats reset"}},
      {"stats reset x\r\n", {"stats reset"}},
      {"stats settings\r\n", {"stats settings"}},
      {"stats items\r\n", {"stats items"}},
      {"stats slabs\r\n", {"stats slabs"}},
      {"stats sizes\r\n", {"stats sizes"}},
      {"stats sizes_enable\r\n", {"stats sizes_enable"}},
      {"stats sizes_disable\r\n", {"stats sizes_disable"}},
      {"stats conns\r\n", {"stats conns"}},
      {"stats extstore\r\n", {"stats extstore"}},
      {"stats detail on\r\n", {"stats detail on"}},
      {"stats detail off\r\n", {"stats detail off"}},
      {"stats detail dump\r\n", {"stats detail dump"}},
      // memcached's tokenizer keeps 23 tokens; "on" is still the third.
      {"stats detail on" + Junk(30) + "\r\n", {"stats detail on"}},
      {"stats detail\r\n", {"error CLIENT_ERROR usage: stats detail on|off|dump"}},
      {"stats detail x\r\n", {"error CLIENT_ERROR usage: stats detail on|off|dump"}},
      {"stats foo\r\n", {"error ERROR"}},
      {"stats cachedump 1 10\r\n", {"stats cachedump 1 10"}},
      {"stats cachedump 1\r\n", {"stats cachedump deferred=CLIENT_ERROR bad command line"}},
      {"stats cachedump x 1\r\n",
       {"stats cachedump deferred=CLIENT_ERROR bad command line format"}},
      {"stats cachedump 100 1\r\n", {"stats cachedump deferred=CLIENT_ERROR Illegal slab id"}},
      {"stats cachedump 64 1\r\n", {"stats cachedump deferred=CLIENT_ERROR Illegal slab id"}},
      {"stats cachedump 63 0\r\n", {"stats cachedump 63 0"}},
      // --- flush_all ---
      {"flush_all\r\n", {"flush_all delay=0"}},
      {"flush_all 10\r\n", {"flush_all delay=10"}},
      {"flush_all -1\r\n", {"flush_all delay=-1"}},
      {"flush_all noreply\r\n", {"flush_all delay=0 noreply"}},
      {"flush_all 0 noreply\r\n", {"flush_all delay=0 noreply"}},
      {"flush_all 1 2\r\n", {"flush_all delay=1"}},
      {"flush_all noreply 0\r\n",
       {"flush_all delay=0 deferred=CLIENT_ERROR invalid exptime argument"}},
      {"flush_all abc\r\n", {"flush_all delay=0 deferred=CLIENT_ERROR invalid exptime argument"}},
      {"flush_all x y z\r\n", {"error ERROR"}},
      // --- version / verbosity ---
      {"verbosity 1\r\n", {"verbosity 1"}},
      {"verbosity 1 noreply\r\n", {"verbosity 1 noreply"}},
      {"verbosity 1 2\r\n", {"verbosity 1"}},
      {"verbosity\r\n", {"error ERROR"}},
      {"verbosity x\r\n", {"error CLIENT_ERROR bad command line format"}},
      {"verbosity x noreply\r\n", {"error CLIENT_ERROR bad command line format (noreply)"}},
      {"verbosity noreply\r\n", {"error CLIENT_ERROR bad command line format (noreply)"}},
      // --- shutdown ---
      {"shutdown\r\n", {"shutdown"}},
      {"shutdown graceful\r\n", {"shutdown graceful"}},
      {"shutdown x\r\n", {"shutdown deferred=CLIENT_ERROR invalid shutdown mode"}},
      {"shutdown graceful x\r\n", {"shutdown deferred=CLIENT_ERROR invalid shutdown mode"}},
      // --- cache_memlimit ---
      {"cache_memlimit 100\r\n", {"cache_memlimit 100"}},
      {"cache_memlimit 100 noreply\r\n", {"cache_memlimit 100 noreply"}},
      {"cache_memlimit 7\r\n", {"error MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m"}},
      {"cache_memlimit x\r\n", {"error ERROR"}},
      {"cache_memlimit 1000000001\r\n",
       {"error MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes"}},
      {"cache_memlimit\r\n", {"error ERROR"}},
      // --- slabs ---
      {"slabs reassign 1 2\r\n", {"slabs reassign 1 2"}},
      {"slabs reassign -1 2\r\n", {"slabs reassign -1 2"}},
      {"slabs reassign x 2\r\n",
       {"slabs reassign 0 0 deferred=CLIENT_ERROR bad command line format"}},
      {"slabs reassign 1 2 noreply\r\n", {"error ERROR"}},
      {"slabs automove 1\r\n", {"slabs automove 1"}},
      {"slabs automove 2 noreply\r\n", {"slabs automove 2 noreply"}},
      {"slabs automove 3\r\n", {"error ERROR"}},
      {"slabs automove x\r\n", {"error CLIENT_ERROR bad command line format"}},
      {"slabs automove ratio 0.5\r\n", {"slabs automove ratio 0.50"}},
      {"slabs automove ratio\r\n", {"error ERROR"}},
      {"slabs automove ratio x\r\n", {"error ERROR"}},
      {"slabs x\r\n", {"error ERROR"}},
      {"slabs\r\n", {"error ERROR"}},
      // --- lru_crawler ---
      {"lru_crawler crawl all\r\n", {"lru_crawler crawl all"}},
      {"lru_crawler crawl hash\r\n", {"lru_crawler crawl hash"}},
      {"lru_crawler crawl 1,2,,63\r\n", {"lru_crawler crawl 1 2 63"}},
      {"lru_crawler crawl x\r\n", {"lru_crawler crawl deferred=BADCLASS invalid class id"}},
      {"lru_crawler crawl 0\r\n", {"lru_crawler crawl deferred=BADCLASS invalid class id"}},
      {"lru_crawler crawl 64\r\n", {"lru_crawler crawl deferred=BADCLASS invalid class id"}},
      {"lru_crawler metadump all\r\n", {"lru_crawler metadump all"}},
      {"lru_crawler metadump 1,x\r\n", {"lru_crawler metadump deferred=BADCLASS invalid class id"}},
      {"lru_crawler tocrawl 100\r\n", {"lru_crawler tocrawl 100"}},
      {"lru_crawler tocrawl x\r\n", {"error CLIENT_ERROR bad command line format"}},
      {"lru_crawler sleep 1000000\r\n", {"lru_crawler sleep 1000000"}},
      {"lru_crawler sleep 2000000\r\n", {"error CLIENT_ERROR sleep must be one second or less"}},
      {"lru_crawler enable\r\n", {"lru_crawler enable"}},
      {"lru_crawler disable\r\n", {"lru_crawler disable"}},
      {"lru_crawler\r\n", {"error ERROR"}},
      {"lru_crawler crawl\r\n", {"error ERROR"}},
      {"lru_crawler enable x\r\n", {"error ERROR"}},
      // --- watch ---
      {"watch\r\n", {"watch mask=4"}},
      {"watch fetchers mutations evictions connevents\r\n", {"watch mask=46"}},
      {"watch rawcmds sysevents proxyreqs proxyevents proxyuser\r\n", {"watch mask=465"}},
      {"watch foo\r\n", {"watch mask=0 deferred=ERROR"}},
      {"watch fetchers noreply\r\n", {"watch mask=4 deferred=ERROR noreply"}},
      // --- lru ---
      {"lru tune 10 10 0.1 2\r\n", {"lru tune 10 10 0.10 2.00"}},
      {"lru tune 10 10 0.1 2 noreply\r\n", {"lru tune 10 10 0.10 2.00 noreply"}},
      {"lru tune 50 50 0.1 2\r\n", {"error ERROR hot and warm pcts must not exceed 80"}},
      // The percentages are added as 32-bit unsigned numbers, as memcached does.
      {"lru tune 4294967295 2 0.1 2\r\n", {"lru tune 4294967295 2 0.10 2.00"}},
      {"lru tune 10 10 0 2\r\n", {"error ERROR hot/warm age factors must be greater than 0"}},
      {"lru tune 10 10 x 2\r\n", {"error ERROR"}},
      {"lru tune 10 10 0.1\r\n", {"error ERROR"}},
      {"lru mode flat\r\n", {"lru mode flat"}},
      {"lru mode segmented\r\n", {"lru mode segmented"}},
      {"lru mode x\r\n", {"error ERROR"}},
      {"lru temp_ttl -1\r\n", {"lru temp_ttl -1"}},
      {"lru temp_ttl x noreply\r\n", {"error ERROR (noreply)"}},
      {"lru x\r\n", {"error ERROR"}},
      {"lru\r\n", {"error ERROR"}},
      // --- extstore, refresh_certs ---
      {"extstore item_size 5\r\n", {"extstore item_size 5"}},
      {"extstore item_size 5 noreply\r\n", {"extstore item_size 5 noreply noreply"}},
      {"extstore x\r\n", {"extstore x"}},
      {"extstore\r\n", {"error ERROR"}},
      {"refresh_certs\r\n", {"refresh_certs"}},
      {"refresh_certs noreply\r\n", {"refresh_certs noreply"}},
  };
}

class AdminParserTable : public ::testing::TestWithParam<ParseCase> {};

TEST_P(AdminParserTable, SameOutcomeWholeAndAtEverySplit) {
  ExpectSameAtEverySplit(GetParam().input, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Admin, AdminParserTable, ::testing::ValuesIn(Cases()));

TEST(AdminParserTest, DeferredErrorIsClearedByTheNextRequest) {
  TextParser parser;
  TextRequest req;
  ASSERT_EQ(parser.Parse("flush_all abc\r\n", &req).status, ParseStatus::kRequest);
  EXPECT_EQ(req.deferred_error, ProtocolError::kInvalidExptime);
  ASSERT_EQ(parser.Parse("flush_all\r\n", &req).status, ParseStatus::kRequest);
  EXPECT_EQ(req.deferred_error, ProtocolError::kNone);
  ASSERT_EQ(parser.Parse("shutdown x\r\n", &req).status, ParseStatus::kRequest);
  ASSERT_EQ(parser.Parse("get a\r\n", &req).status, ParseStatus::kRequest);
  EXPECT_EQ(req.deferred_error, ProtocolError::kNone);
}

}  // namespace
}  // namespace ringcache::protocol
