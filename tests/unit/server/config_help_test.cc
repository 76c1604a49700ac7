// -h, -i and -V: every option memcached 1.6.18's -h lists (as Debian builds
// it) appears, and the strings memcached's test suite searches for appear
// only for features ringcached has.
#include "ringcache/server/config_help.h"

#include <string>
#include <string_view>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "parse_state.h"
#include "ringcache/server/config_parser.h"
#include "ringcache/server/version.h"

namespace ringcache::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string& Help() {
  static const std::string text = HelpText(DefaultConfig(4));
  return text;
}

// Options of `memcached -h` (Debian's memcached 1.6.18).
constexpr std::string_view kShortOptions = "pUsaAldrumMckvhiVPfnLDtRCbBISFXWYeZoN";
constexpr std::string_view kLongOptions[] = {
    "port",
    "udp-port",
    "unix-socket",
    "unix-mask",
    "enable-shutdown",
    "listen",
    "daemon",
    "enable-coredumps",
    "user",
    "memory-limit",
    "disable-evictions",
    "conn-limit",
    "lock-memory",
    "verbose",
    "help",
    "license",
    "version",
    "pidfile",
    "slab-growth-factor",
    "slab-min-size",
    "enable-largepages",
    "threads",
    "max-reqs-per-event",
    "disable-cas",
    "listen-backlog",
    "protocol",
    "max-item-size",
    "enable-sasl",
    "disable-flush-all",
    "disable-dumping",
    "disable-watch",
    "auth-file",
    "memory-file",
    "enable-ssl",
    "extended",
    "napi-ids",
};
constexpr std::string_view kSuboptions[] = {
    "maxconns_fast",
    "hashpower",
    "tail_repair_time",
    "hash_algorithm",
    "no_lru_crawler",
    "lru_crawler_sleep",
    "lru_crawler_tocrawl",
    "read_buf_mem_limit",
    "no_lru_maintainer",
    "hot_lru_pct",
    "warm_lru_pct",
    "hot_max_factor",
    "warm_max_factor",
    "temporary_ttl",
    "idle_timeout",
    "slab_chunk_max",
    "watcher_logbuf_size",
    "worker_logbuf_size",
    "track_sizes",
    "no_hashexpand",
    "modern",
    "no_modern",
    "sock_cookie_id",
    "ext_page_size",
    "ext_wbuf_size",
    "ext_threads",
    "ext_item_size",
    "ext_item_age",
    "ext_low_ttl",
    "ext_drop_unread",
    "ext_recache_rate",
    "ext_compact_under",
    "ext_drop_under",
    "ext_max_frag",
    "ext_max_sleep",
    "slab_automove_freeratio",
    "ssl_chain_cert",
    "ssl_key",
    "ssl_keyformat",
    "ssl_verify_mode",
    "ssl_ciphers",
    "ssl_ca_cert",
    "ssl_wbuf_size",
    "ssl_session_cache",
    "ssl_kernel_tls",
    "ssl_min_version",
};

TEST(ConfigHelpTest, StartsWithTheVersionLine) {
  EXPECT_EQ(VersionLine(), std::string(kProgramName) + " " + std::string(kRingcacheVersion) +
                               " (memcached " + std::string(kMemcachedVersion) + " compatible)\n");
  EXPECT_THAT(Help(), StartsWith(VersionLine()));
  // memcached's harness takes "memcached 1.1." to mean no UDP.
  EXPECT_THAT(Help(), Not(StartsWith("memcached 1.1.")));
}

TEST(ConfigHelpTest, ListsEveryMemcachedOption) {
  for (char c : kShortOptions) {
    EXPECT_THAT(Help(), HasSubstr(std::string("\n-") + c)) << c;
  }
  for (std::string_view l : kLongOptions) {
    EXPECT_THAT(Help(), HasSubstr("--" + std::string(l))) << l;
  }
  for (std::string_view s : kSuboptions) {
    EXPECT_THAT(Help(), HasSubstr(std::string(s))) << s;
  }
  EXPECT_THAT(Help(), HasSubstr("-vv "));
  EXPECT_THAT(Help(), HasSubstr("-vvv "));
  EXPECT_THAT(Help(), HasSubstr("--config-file"));
}

TEST(ConfigHelpTest, ListsEverySuboptionRingcachedAccepts) {
  for (const config_internal::SuboptionInfo& s : config_internal::AllSuboptions()) {
    // The two names memcached's harness must not find (see below).
    if (s.name == "ext_path" || s.name == "no_drop_privileges") continue;
    EXPECT_THAT(Help(), HasSubstr(std::string(s.name))) << s.name;
  }
}

// memcached's test suite enables whole test files by searching -h: the
// strings of features ringcached has must be there, the others must not.
TEST(ConfigHelpTest, FeatureProbesOfMemcachedsTestSuite) {
  std::string lower = Help();
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_THAT(lower, HasSubstr("sasl"));
  EXPECT_THAT(lower, HasSubstr("unix-socket"));
  EXPECT_THAT(lower, HasSubstr("enable-ssl"));
  EXPECT_THAT(lower, Not(HasSubstr("ext_path")));
  EXPECT_THAT(lower, Not(HasSubstr("proxy_config")));
  // Would switch on t/misbehave.t, which needs a seccomp sandbox.
  EXPECT_THAT(lower, Not(HasSubstr("no_drop_privileges")));
}

TEST(ConfigHelpTest, ShowsTheValuesSetSoFar) {
  Config c = DefaultConfig(4);
  EXPECT_THAT(HelpText(c), HasSubstr("(default: 11211)"));
  EXPECT_THAT(HelpText(c), HasSubstr("(default: 4,"));
  EXPECT_THAT(HelpText(c), HasSubstr("(default: 1m, min: 1k, max: 1024m)"));
  EXPECT_THAT(HelpText(c), HasSubstr("(default: auto-negotiate)"));
  c.port = 5;
  c.max_bytes = 100u << 20;
  c.growth_factor = 1.5;
  EXPECT_THAT(HelpText(c), HasSubstr("(default: 5)"));
  EXPECT_THAT(HelpText(c), HasSubstr("in megabytes (default: 100)"));
  EXPECT_THAT(HelpText(c), HasSubstr("(default: 1.50)"));
}

TEST(ConfigHelpTest, LinesFitAnEightyColumnTerminal) {
  std::string_view text = Help();
  size_t line = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    ASSERT_NE(nl, std::string_view::npos) << "help must end with a newline";
    EXPECT_LE(nl, 80u) << "line " << line << ": " << text.substr(0, nl);
    text.remove_prefix(nl + 1);
    ++line;
  }
}

TEST(ConfigHelpTest, LicenseIsRingcachesOwn) {
  const std::string license = LicenseText();
  EXPECT_THAT(license, StartsWith(VersionLine()));
  EXPECT_THAT(license, HasSubstr("the ringcache authors"));
  EXPECT_THAT(license, Not(HasSubstr("Danga")));
}

}  // namespace
}  // namespace ringcache::server
