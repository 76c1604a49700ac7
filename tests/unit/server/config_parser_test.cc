// The command line: every flag in its forms, -o suboptions, memcached's
// checks with their exact messages, streams and exit statuses (observed with
// Debian's memcached 1.6.18; tests/integration/cli_test.py compares the
// binaries side by side), and --config-file.
#include "ringcache/server/config_parser.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <sysexits.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "ringcache/server/config_help.h"

namespace ringcache::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

HostFacts TestHost() {
  HostFacts host;
  host.allowed_cpus = 2;
  host.transparent_hugepage = "always [madvise] never\n";
  return host;
}

ParsedCommandLine Parse(std::vector<std::string> args, const HostFacts& host = TestHost()) {
  args.insert(args.begin(), "ringcached");
  return ParseCommandLine(args, host);
}

// Parses and expects success without output.
Config Ok(std::vector<std::string> args) {
  ParsedCommandLine p = Parse(std::move(args));
  EXPECT_FALSE(p.outcome.stop()) << p.outcome.Text(Stream::kStderr);
  EXPECT_THAT(p.outcome.messages(), IsEmpty()) << p.outcome.Text(Stream::kStderr);
  return p.config;
}

struct Failure {
  int code;
  std::string err;
  std::string out;
};
Failure Fail(std::vector<std::string> args) {
  ParsedCommandLine p = Parse(std::move(args));
  EXPECT_TRUE(p.outcome.stop());
  return {p.outcome.exit_code().value_or(-1), p.outcome.Text(Stream::kStderr),
          p.outcome.Text(Stream::kStdout)};
}

void ExpectFailure(std::vector<std::string> args, int code, const std::string& err) {
  SCOPED_TRACE(testing::PrintToString(args));
  const Failure f = Fail(std::move(args));
  EXPECT_EQ(f.code, code);
  EXPECT_EQ(f.err, err);
  EXPECT_EQ(f.out, "");
}

TEST(ConfigParserTest, DefaultsAreMemcachedsExceptThreads) {
  const Config c = Ok({});
  EXPECT_EQ(c.port, 11211);
  EXPECT_EQ(c.udp_port, 0);
  EXPECT_FALSE(c.listen.has_value());
  EXPECT_EQ(c.max_bytes, 64u << 20);
  EXPECT_EQ(c.max_connections, 1024);
  EXPECT_EQ(c.item_size_max, 1 << 20);
  EXPECT_EQ(c.slab_chunk_size_max, 1 << 19);
  EXPECT_EQ(c.reqs_per_event, 20);
  EXPECT_EQ(c.backlog, 1024);
  EXPECT_EQ(c.protocol, BindingProtocol::kNegotiating);
  EXPECT_EQ(c.num_threads, 2);  // TestHost's CPUs
  EXPECT_EQ(c.num_threads_per_udp, 2);
  EXPECT_TRUE(c.use_cas);
  EXPECT_TRUE(c.evict_to_free);
  EXPECT_EQ(c.verbosity, 0);
  EXPECT_EQ(c.io_engine, io::EngineKind::kAuto);
  EXPECT_TRUE(c.pin_threads);
}

TEST(ConfigParserTest, EveryValueFlagInShortAttachedAndLongForms) {
  struct Case {
    char letter;
    const char* long_name;
    const char* value;
    std::function<bool(const Config&)> check;
  };
  const std::vector<Case> cases = {
      {'p', "port", "12345", [](const Config& c) { return c.port == 12345; }},
      {'U', "udp-port", "12346", [](const Config& c) { return c.udp_port == 12346; }},
      {'s', "unix-socket", "/tmp/s", [](const Config& c) { return c.unix_socket == "/tmp/s"; }},
      {'a', "unix-mask", "755", [](const Config& c) { return c.unix_mask == 0755; }},
      {'m', "memory-limit", "128", [](const Config& c) { return c.max_bytes == 128u << 20; }},
      {'c', "conn-limit", "77", [](const Config& c) { return c.max_connections == 77; }},
      {'l', "listen", "127.0.0.1", [](const Config& c) { return c.listen == "127.0.0.1"; }},
      {'u', "user", "nobody", [](const Config& c) { return c.user == "nobody"; }},
      {'P', "pidfile", "/tmp/p", [](const Config& c) { return c.pid_file == "/tmp/p"; }},
      {'f', "slab-growth-factor", "1.5", [](const Config& c) { return c.growth_factor == 1.5; }},
      {'n', "slab-min-size", "64", [](const Config& c) { return c.chunk_size == 64; }},
      {'t', "threads", "3", [](const Config& c) { return c.num_threads == 3; }},
      {'R', "max-reqs-per-event", "5", [](const Config& c) { return c.reqs_per_event == 5; }},
      {'b', "listen-backlog", "99", [](const Config& c) { return c.backlog == 99; }},
      {'B', "protocol", "ascii",
       [](const Config& c) { return c.protocol == BindingProtocol::kAscii; }},
      {'I', "max-item-size", "2m", [](const Config& c) { return c.item_size_max == 2 << 20; }},
      {'Y', "auth-file", "/tmp/a", [](const Config& c) { return c.auth_file == "/tmp/a"; }},
      {'e', "memory-file", "/tmp/m", [](const Config& c) { return c.memory_file == "/tmp/m"; }},
      {'o', "extended", "idle_timeout=9", [](const Config& c) { return c.idle_timeout == 9; }},
      {'N', "napi-ids", "1", [](const Config& c) { return c.num_napi_ids == 1; }},
  };
  for (const Case& k : cases) {
    const std::string s = std::string("-") + k.letter;
    const std::string l = std::string("--") + k.long_name;
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {s, k.value}, {s + k.value}, {l + "=" + k.value}, {l, k.value}}) {
      SCOPED_TRACE(testing::PrintToString(args));
      ParsedCommandLine p = Parse(args);
      ASSERT_FALSE(p.outcome.stop()) << p.outcome.Text(Stream::kStderr);
      EXPECT_TRUE(k.check(p.config));
    }
  }
}

TEST(ConfigParserTest, EveryBooleanFlagInShortAndLongForms) {
  struct Case {
    char letter;
    const char* long_name;
    std::function<bool(const Config&)> check;
  };
  const std::vector<Case> cases = {
      {'A', "enable-shutdown", [](const Config& c) { return c.shutdown_command; }},
      {'Z', "enable-ssl", [](const Config& c) { return c.tls.enabled; }},
      {'M', "disable-evictions", [](const Config& c) { return !c.evict_to_free; }},
      {'k', "lock-memory", [](const Config& c) { return c.lock_memory; }},
      {'r', "enable-coredumps", [](const Config& c) { return c.coredumps; }},
      {'v', "verbose", [](const Config& c) { return c.verbosity == 1; }},
      {'d', "daemon", [](const Config& c) { return c.daemonize; }},
      {'L', "enable-largepages", [](const Config& c) { return c.large_pages; }},
      {'C', "disable-cas", [](const Config& c) { return !c.use_cas; }},
      {'S', "enable-sasl",
       [](const Config& c) { return c.sasl && c.protocol == BindingProtocol::kBinary; }},
      {'F', "disable-flush-all", [](const Config& c) { return !c.flush_enabled; }},
      {'X', "disable-dumping", [](const Config& c) { return !c.dump_enabled; }},
      {'W', "disable-watch", [](const Config& c) { return !c.watch_enabled; }},
  };
  for (const Case& k : cases) {
    for (const std::string& arg : {std::string("-") + k.letter, std::string("--") + k.long_name}) {
      SCOPED_TRACE(arg);
      ParsedCommandLine p = Parse({arg});
      ASSERT_FALSE(p.outcome.stop()) << p.outcome.Text(Stream::kStderr);
      EXPECT_TRUE(k.check(p.config));
    }
  }
}

TEST(ConfigParserTest, VerbosityCountsEveryV) {
  EXPECT_EQ(Ok({"-vv"}).verbosity, 2);
  EXPECT_EQ(Ok({"-vvv"}).verbosity, 3);
  EXPECT_EQ(Ok({"-v", "--verbose", "--verbose=5"}).verbosity, 3);
  const Config c = Ok({"-dvr"});
  EXPECT_TRUE(c.daemonize);
  EXPECT_TRUE(c.coredumps);
  EXPECT_EQ(c.verbosity, 1);
}

// A cluster of flags means the same however it is cut into words: "-vdM"
// = "-v" "-dM" = "-vd" "-M" = ... for every cut, ending with an option
// that takes its argument from the rest of the cluster or the next word.
TEST(ConfigParserTest, ClustersMeanTheSameAtEveryCut) {
  const std::string flags = "vdMCrAFXWv";
  const Config whole = Ok({"-" + flags + "p4242"});
  EXPECT_EQ(whole.port, 4242);
  for (unsigned cuts = 0; cuts < (1u << flags.size()); ++cuts) {
    std::vector<std::string> words{"-"};
    for (size_t i = 0; i < flags.size(); ++i) {
      if (i > 0 && (cuts & (1u << i)) != 0) words.push_back("-");
      words.back() += flags[i];
    }
    // The last cut bit decides whether -p's value is attached or separate.
    if ((cuts & 1u) != 0) {
      words.back() += "p";
      words.push_back("4242");
    } else {
      words.back() += "p4242";
    }
    SCOPED_TRACE(testing::PrintToString(words));
    const Config c = Ok(words);
    EXPECT_EQ(c.verbosity, whole.verbosity);
    EXPECT_EQ(c.daemonize, whole.daemonize);
    EXPECT_EQ(c.evict_to_free, whole.evict_to_free);
    EXPECT_EQ(c.use_cas, whole.use_cas);
    EXPECT_EQ(c.coredumps, whole.coredumps);
    EXPECT_EQ(c.shutdown_command, whole.shutdown_command);
    EXPECT_EQ(c.flush_enabled, whole.flush_enabled);
    EXPECT_EQ(c.dump_enabled, whole.dump_enabled);
    EXPECT_EQ(c.watch_enabled, whole.watch_enabled);
    EXPECT_EQ(c.port, 4242);
  }
}

TEST(ConfigParserTest, LaterValuesWinAndOperandsAreIgnored) {
  EXPECT_EQ(Ok({"-p", "1", "--port=2", "-p3"}).port, 3);
  EXPECT_EQ(Ok({"stray", "-p", "4", "words"}).port, 4);
  EXPECT_EQ(Ok({"--", "-p", "4"}).port, 11211);
}

TEST(ConfigParserTest, ListenAddressesAccumulateLikeMemcached) {
  EXPECT_EQ(Ok({"-l", "127.0.0.1", "-l", "::1"}).listen, "127.0.0.1,::1");
  // A value already contained in the list (even as a substring) is dropped.
  EXPECT_EQ(Ok({"-l", "127.0.0.1", "-l", "27.0.0.1"}).listen, "127.0.0.1");
  EXPECT_EQ(Ok({"-l", "a,b"}).num_threads_per_udp, 1);
}

TEST(ConfigParserTest, ItemSizeSuffixesAndWrapAround) {
  EXPECT_EQ(Ok({"-I", "512k", "-o", "slab_chunk_max=16384"}).item_size_max, 512 * 1024);
  EXPECT_EQ(Ok({"-I", "2M"}).item_size_max, 2 << 20);
  EXPECT_EQ(Ok({"-m", "256", "-I", "32m"}).item_size_max, 32 << 20);
  EXPECT_EQ(Ok({"-I", "2097152"}).item_size_max, 2097152);
  EXPECT_EQ(Ok({"-I", "1024", "-o", "slab_chunk_max=1024"}).item_size_max, 1024);
  // 4096m overflows memcached's int to 0; "2g" has no known suffix: atoi -> 2.
  ExpectFailure({"-m", "100000", "-I", "4096m"}, EX_USAGE,
                "Item max size cannot be less than 1024 bytes.\n");
  ExpectFailure({"-I", "2g"}, EX_USAGE, "Item max size cannot be less than 1024 bytes.\n");
}

TEST(ConfigParserTest, MemoryLimitWrapsLikeSizeT) {
  EXPECT_EQ(Ok({"-m", "-1", "-I", "1m"}).max_bytes, uint64_t{0} - (uint64_t{1} << 20));
}

TEST(ConfigParserTest, UdpPortAloneMovesTcpPort) {
  const Config c = Ok({"-U", "11222"});
  EXPECT_EQ(c.port, 11222);
  EXPECT_EQ(c.udp_port, 11222);
  EXPECT_EQ(Ok({"-p", "5", "-U", "6"}).port, 5);
  EXPECT_EQ(Ok({"-p", "-1"}).port, -1);
}

TEST(ConfigParserTest, ValueErrorsMatchMemcached) {
  ExpectFailure({"-c", "0"}, 1, "Maximum connections must be greater than 0\n");
  ExpectFailure({"-c", "-1"}, 1, "Maximum connections must be greater than 0\n");
  ExpectFailure({"--conn-limit=abc"}, 1, "Maximum connections must be greater than 0\n");
  ExpectFailure({"-t", "0"}, 1, "Number of threads must be greater than 0\n");
  ExpectFailure({"-R", "0"}, 1, "Number of requests per event must be greater than 0\n");
  ExpectFailure({"-f", "1"}, 1, "Factor must be greater than 1\n");
  ExpectFailure({"-n", "0"}, 1, "Chunk size must be greater than 0\n");
  ExpectFailure({"-D", ""}, 1, "No delimiter specified\n");
  ExpectFailure({"-N", "0"}, 1, "Maximum number of NAPI IDs must be greater than 0\n");
  ExpectFailure({"-B", "http"}, EX_USAGE,
                "Invalid value for binding protocol: http\n"
                " -- should be one of auto, binary, or ascii\n");
}

TEST(ConfigParserTest, GetoptErrorsAreFollowedByIllegalArgument) {
  ExpectFailure({"-q"}, 1, "ringcached: invalid option -- 'q'\nIllegal argument \"?\"\n");
  ExpectFailure({"-p"}, 1,
                "ringcached: option requires an argument -- 'p'\nIllegal argument \"?\"\n");
  ExpectFailure({"--bogus"}, 1,
                "ringcached: unrecognized option '--bogus'\nIllegal argument \"?\"\n");
  ExpectFailure(
      {"--daemon=1"}, 1,
      "ringcached: option '--daemon' doesn't allow an argument\nIllegal argument \"?\"\n");
  ExpectFailure({"--ver"}, 1,
                "ringcached: option '--ver' is ambiguous; possibilities: '--version' "
                "'--verbose'\nIllegal argument \"?\"\n");
  ExpectFailure({"--d"}, 1,
                "ringcached: option '--d' is ambiguous; possibilities: '--disable-evictions' "
                "'--daemon' '--disable-cas' '--disable-flush-all' '--disable-dumping' "
                "'--disable-watch'\nIllegal argument \"?\"\n");
}

TEST(ConfigParserTest, ParsingStopsAtTheFirstError) {
  // memcached applies options in order: the warning of -t 100 is printed
  // before -c 0 stops it; the bad -q after it is never reached.
  const Failure f = Fail({"-t", "100", "-c", "0", "-q"});
  EXPECT_EQ(f.code, 1);
  EXPECT_EQ(f.err,
            "WARNING: Setting a high number of workerthreads is not recommended.\n"
            " Set this value to the number of cores in your machine or less.\n"
            "Maximum connections must be greater than 0\n");
}

TEST(ConfigParserTest, HelpVersionAndLicensePrintAndStop) {
  ParsedCommandLine h = Parse({"-p", "5", "-h", "-c", "0"});
  EXPECT_EQ(h.outcome.exit_code(), 0);
  EXPECT_THAT(h.outcome.Text(Stream::kStdout), HasSubstr("(default: 5)"));
  EXPECT_EQ(h.outcome.Text(Stream::kStderr), "");  // -c 0 was never reached

  ParsedCommandLine v = Parse({"--vers"});
  EXPECT_EQ(v.outcome.exit_code(), 0);
  EXPECT_EQ(v.outcome.Text(Stream::kStdout), VersionLine());

  ParsedCommandLine i = Parse({"-i"});
  EXPECT_EQ(i.outcome.exit_code(), 0);
  EXPECT_THAT(i.outcome.Text(Stream::kStdout), HasSubstr("Redistribution and use"));

  // Options before -h are applied in order; clustered -vhd stops at h.
  ParsedCommandLine c = Parse({"-vhd"});
  EXPECT_EQ(c.outcome.exit_code(), 0);
  EXPECT_EQ(c.outcome.Text(Stream::kStdout), HelpText(c.config));
  EXPECT_FALSE(c.config.daemonize);
}

TEST(ConfigParserTest, CrossChecksAfterTheLoopInMemcachedsOrder) {
  ExpectFailure({"-I", "512"}, EX_USAGE, "Item max size cannot be less than 1024 bytes.\n");
  ExpectFailure({"-I", "256m"}, EX_USAGE,
                "Cannot set item size limit higher than 1/2 of memory max.\n");
  ExpectFailure({"-I", "2m", "-m", "2"}, EX_USAGE,
                "Cannot set item size limit higher than 1/2 of memory max.\n");
  ExpectFailure({"-I", "1025m", "-m", "4096"}, EX_USAGE,
                "Cannot set item size limit higher than a gigabyte.\n");
  ExpectFailure({"-I", "1024"}, EX_USAGE,
                "slab_chunk_max (bytes: 524288) cannot be larger than -I (item_size_max 1024)\n");
  ExpectFailure({"-I", "1500000"}, EX_USAGE,
                "-I (item_size_max: 1500000) must be evenly divisible by slab_chunk_max "
                "(bytes: 524288)\n");
  ExpectFailure({"-o", "slab_chunk_max=1000", "-I", "1000000"}, EX_USAGE,
                "slab_chunk_max (bytes: 1000) must divide evenly into 1048576 "
                "(slab_page_size)\n");
  ExpectFailure({"-N", "8", "-t", "2"}, EX_USAGE,
                "Number of napi_ids(8) cannot be greater than number of threads(2)\n");
  ExpectFailure({"-o", "hot_lru_pct=50,warm_lru_pct=50"}, EX_USAGE,
                "hot_lru_pct + warm_lru_pct cannot be more than 80% combined\n");
  ExpectFailure({"-o", "temporary_ttl=5,no_lru_maintainer"}, EX_USAGE,
                "temporary_ttl requires lru_maintainer to be enabled\n");
  ExpectFailure({"-S", "-B", "ascii"}, EX_USAGE,
                "ERROR: You cannot allow the ASCII protocol while using SASL.\n");
  ExpectFailure({"-S", "-U", "5"}, EX_USAGE,
                "ERROR: Cannot enable UDP while using binary SASL authentication.\n");
  ExpectFailure({"-Y", "/x", "-B", "binary"}, EX_USAGE,
                "ERROR: You cannot allow the BINARY protocol while using ascii authentication "
                "tokens.\n");
  ExpectFailure({"-p", "70000"}, EX_USAGE, "ERROR: Invalid port number 70000.\n");
  ExpectFailure({"-U", "70000"}, EX_USAGE, "ERROR: Invalid port number 70000.\n");
  ExpectFailure({"-Z", "-p", "0"}, EX_USAGE, "ERROR: You cannot enable SSL without a TCP port.\n");
  // The auth file makes ascii the protocol when -B is not given.
  EXPECT_EQ(Ok({"-Y", "/x"}).protocol, BindingProtocol::kAscii);
}

TEST(ConfigParserTest, Suboptions) {
  const Config c = Ok({"-o", "hashpower=20,idle_timeout=30", "-o", "track_sizes,no_maxconns_fast",
                       "-o", "io_engine=epoll,no_pin_threads,relaxed_privileges,modern,"});
  EXPECT_EQ(c.hashpower_init, 20);
  EXPECT_EQ(c.idle_timeout, 30);
  EXPECT_TRUE(c.track_sizes);
  EXPECT_FALSE(c.maxconns_fast);
  EXPECT_EQ(c.io_engine, io::EngineKind::kEpoll);
  EXPECT_FALSE(c.pin_threads);

  const Config n = Ok({"-o", "no_modern"});
  EXPECT_EQ(n.hash_algorithm, HashAlgorithm::kJenkins);
  EXPECT_FALSE(n.lru_crawler);
  EXPECT_FALSE(n.lru_maintainer);
  EXPECT_FALSE(n.lru_segmented);
  EXPECT_FALSE(n.slab_reassign);
  EXPECT_EQ(n.slab_automove, 0);
  EXPECT_FALSE(n.maxconns_fast);
  EXPECT_EQ(n.slab_chunk_size_max, 1 << 20);
  // -I above 1m puts slab_chunk_max back to half a page unless it was given.
  EXPECT_EQ(Ok({"-o", "no_modern", "-I", "2m"}).slab_chunk_size_max, 1 << 19);

  const Config t = Ok({"-Z", "-o",
                       "ssl_chain_cert=/c,ssl_key=/k,ssl_verify_mode=2,ssl_min_version=3,"
                       "ssl_wbuf_size=32,ssl_session_cache,ssl_kernel_tls,ssl_ciphers=HIGH"});
  EXPECT_EQ(t.tls.chain_cert, "/c");
  EXPECT_EQ(t.tls.key, "/k");
  EXPECT_EQ(t.tls.verify_level, 2);
  EXPECT_EQ(t.tls.min_version, 3);
  EXPECT_EQ(t.tls.wbuf_size, 32u * 1024);
  EXPECT_TRUE(t.tls.session_cache && t.tls.kernel_tls);
  EXPECT_EQ(t.tls.ciphers, "HIGH");

  const Config e = Ok({"-U", "0", "-o", "ext_page_size=8,ext_path=/tmp/e:64m,ext_threads=2"});
  EXPECT_THAT(e.extstore.paths, ElementsAre("/tmp/e:64m"));
  EXPECT_EQ(e.extstore.page_size, 8u << 20);
  EXPECT_EQ(e.extstore.threads, 2u);
}

TEST(ConfigParserTest, SuboptionErrorsMatchMemcached) {
  ExpectFailure({"-o", "x"}, 1, "Illegal suboption \"x\"\n");
  ExpectFailure({"-o", "x=5,hashpower=20"}, 1, "Illegal suboption \"x=5\"\n");
  ExpectFailure({"-o", "hashpower=20,,x"}, 1, "Illegal suboption \"\"\n");
  ExpectFailure({"-o", "proxy_config=/x"}, 1, "Illegal suboption \"proxy_config=/x\"\n");
  ExpectFailure({"-o", "hashpower"}, 1, "Missing numeric argument for hashpower\n");
  ExpectFailure({"-o", "hashpower=5,x"}, 1, "Initial hashtable multiplier of 5 is too low\n");
  ExpectFailure({"-o", "hashpower=33"}, 1,
                "Initial hashtable multiplier of 33 is too high\n"
                "Choose a value based on \"STAT hash_power_level\" from a running instance\n");
  ExpectFailure({"-o", "slab_automove=3"}, 1, "slab_automove must be between 0 and 2\n");
  ExpectFailure({"-o", "slab_automove_ratio=2"}, 1, "slab_automove_ratio must be > 0 and < 1\n");
  ExpectFailure({"-o", "slab_automove_window=2"}, 1, "slab_automove_window must be > 2\n");
  ExpectFailure({"-o", "tail_repair_time=5"}, 1,
                "Cannot set tail_repair_time to less than 10 seconds\n");
  ExpectFailure({"-o", "hash_algorithm=foo"}, 1,
                "Unknown hash_algorithm option (jenkins, murmur3, xxh3)\n");
  ExpectFailure({"-o", "lru_crawler_sleep=2000000"}, 1,
                "LRU crawler sleep must be between 0 and 1 second\n");
  ExpectFailure({"-o", "lru_crawler_tocrawl=-1"}, 1,
                "lru_crawler_tocrawl takes a numeric 32bit value\n");
  ExpectFailure({"-o", "hot_lru_pct=90"}, 1, "hot_lru_pct must be > 1 and < 80\n");
  ExpectFailure({"-o", "warm_max_factor=0"}, 1, "warm_max_factor must be > 0\n");
  ExpectFailure({"-o", "temporary_ttl"}, 1, "Missing temporary_ttl argument\n");
  ExpectFailure({"-o", "idle_timeout"}, 1, "Missing numeric argument for idle_timeout\n");
  ExpectFailure({"-o", "watcher_logbuf_size=x"}, 1,
                "could not parse argument to watcher_logbuf_size\n");
  ExpectFailure({"-o", "read_buf_mem_limit"}, 1, "Missing read_buf_mem_limit argument\n");
  ExpectFailure({"-o", "ssl_verify_mode=4"}, 1,
                "Invalid ssl_verify_mode. Use help to see valid options.\n");
  ExpectFailure({"-o", "ssl_min_version=9"}, 1,
                "Invalid ssl_min_version. Use help to see valid options.\n");
  ExpectFailure({"-o", "ext_path"}, 1, "missing argument to ext_path, ie: ext_path=/d/file:5G\n");
  ExpectFailure({"-o", "ext_path=/tmp/x"}, 1,
                "must supply size to ext_path, ie: ext_path=/f/e:64m (M|G|T|P supported)\n"
                "failed to parse ext_path argument\n");
  ExpectFailure({"-o", "ext_path=/tmp/x:1G:bogus"}, 1,
                "Unknown extstore bucket: bogus\nfailed to parse ext_path argument\n");
  ExpectFailure({"-o", "ext_path=/tmp/x:1G,ext_page_size=8"}, 1,
                "Must specify ext_page_size before any ext_path arguments\n");
  ExpectFailure({"-o", "ext_page_size=abc"}, 1, "could not parse argument to ext_page_size\n");
  ExpectFailure({"-o", "ext_path=/tmp/x:1G", "-U", "5"}, EX_USAGE,
                "Cannot use UDP with extstore enabled (-U 0 to disable)\n");
  ExpectFailure({"-o", "io_engine=kqueue"}, 1, "Unknown io_engine option (auto, uring, epoll)\n");
  // memcached crashes on these; ringcached prints its message and stops.
  ExpectFailure({"-o", "slab_chunk_max"}, 1, "Missing slab_chunk_max argument\n");
  ExpectFailure({"-o", "slab_chunk_max=abc"}, 1, "could not parse argument to slab_chunk_max\n");
}

TEST(ConfigParserTest, SlabSizesAreCheckedAfterTheLoop) {
  EXPECT_EQ(Ok({"-o", "slab_sizes=100-200-300"}).slab_sizes, "100-200-300");
  ExpectFailure({"-o", "slab_sizes=10-200"}, EX_USAGE, "slab size 10 is out of valid range\n");
  ExpectFailure({"-o", "slab_sizes=200-100"}, EX_USAGE,
                "slab size 100 cannot be lower than or equal to a previous class size\n");
  ExpectFailure({"-o", "slab_sizes=100-104"}, EX_USAGE,
                "slab size 104 must be at least 8 bytes larger than previous class\n");
  // memcached's worker_logbuf_size case falls through into slab_sizes.
  ExpectFailure({"-o", "worker_logbuf_size=32"}, EX_USAGE, "slab size 32 is out of valid range\n");
  EXPECT_EQ(Ok({"-o", "worker_logbuf_size=64"}).worker_logbuf_size, 64u * 1024);
}

TEST(ConfigParserTest, DeprecatedSuboptionWarnsAndGoesOn) {
  ParsedCommandLine p = Parse({"-o", "resp_obj_mem_limit,idle_timeout=3"});
  EXPECT_FALSE(p.outcome.stop());
  EXPECT_EQ(p.outcome.Text(Stream::kStderr),
            "DEPRECATED: resp_obj_mem_limit no longer used. See read_buf_mem_limit,\n");
  EXPECT_EQ(p.config.idle_timeout, 3);
}

TEST(ConfigParserTest, IneffectiveOptionsAreRememberedAndReportedAtVerbose) {
  const Config quiet =
      Ok({"-f", "1.5", "-n", "64", "-o", "slab_reassign,lru_maintainer", "-f", "2"});
  EXPECT_THAT(quiet.ineffective_options,
              ElementsAre("-f", "-n", "-o slab_reassign", "-o lru_maintainer"));

  ParsedCommandLine loud = Parse({"-v", "-o", "ext_item_size=100", "-L"});
  ASSERT_FALSE(loud.outcome.stop());
  EXPECT_EQ(loud.outcome.Text(Stream::kStderr),
            "ringcached: accepted for compatibility, no effect in this design: "
            "-o ext_item_size, -L\n");
  // Honoured options are not reported.
  EXPECT_THAT(Parse({"-v", "-o", "hashpower=16,no_lru_crawler", "-D", "#"}).outcome.messages(),
              IsEmpty());
}

TEST(ConfigParserTest, LargePagesFollowTheHostsTransparentHugePages) {
  HostFacts host = TestHost();
  EXPECT_TRUE(Parse({"-L"}, host).config.large_pages);
  host.transparent_hugepage = "always madvise [never]\n";
  ParsedCommandLine never = Parse({"-L"}, host);
  EXPECT_EQ(never.outcome.exit_code(), 1);
  EXPECT_EQ(never.outcome.Text(Stream::kStderr),
            "Transparent huge pages support disabled.\nWill use default page size.\n"
            "Cannot enable large pages on this system\n(There is no support as of this "
            "version)\n");
  host.transparent_hugepage.reset();
  EXPECT_THAT(Parse({"-L"}, host).outcome.Text(Stream::kStderr),
              HasSubstr("Transparent huge pages support not detected."));
}

TEST(ConfigParserTest, PosixlyCorrectStopsAtTheFirstOperand) {
  HostFacts host = TestHost();
  host.posixly_correct = true;
  EXPECT_EQ(Parse({"-p", "5", "word", "-p", "6"}, host).config.port, 5);
}

// --config-file -----------------------------------------------------------

class ConfigFileOptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ringcache-config-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const std::string& f : files_) std::remove(f.c_str());
    rmdir(dir_.c_str());
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    files_.push_back(path);
    return path;
  }

  std::string dir_;
  std::vector<std::string> files_;
};

TEST_F(ConfigFileOptionTest, FileOptionsComeBeforeTheCommandLine) {
  const std::string path = Write("memcached.conf",
                                 "# Debian-style\n-d\nlogfile /var/log/memcached.log\n"
                                 "-m 64\n-p 11311\n-u memcache\n-l 127.0.0.1\n-v\n");
  ParsedCommandLine p = Parse({"--config-file", path, "-p", "11411", "-l", "::1", "-v"});
  ASSERT_FALSE(p.outcome.stop()) << p.outcome.Text(Stream::kStderr);
  const Config& c = p.config;
  EXPECT_EQ(c.port, 11411);              // single value: the command line wins
  EXPECT_EQ(c.listen, "127.0.0.1,::1");  // -l accumulates
  EXPECT_EQ(c.verbosity, 2);             // so does -v
  EXPECT_EQ(c.user, "memcache");         // given only in the file
  EXPECT_FALSE(c.daemonize);             // the file's -d line is skipped
  EXPECT_EQ(c.log_file, "/var/log/memcached.log");
  EXPECT_EQ(c.config_file, path);
  EXPECT_EQ(Parse({"--config-file=" + path}).config.port, 11311);
}

TEST_F(ConfigFileOptionTest, ErrorsInTheFileStopTheParse) {
  const std::string bad = Write("bad.conf", "-c 0\n");
  EXPECT_EQ(Fail({"--config-file", bad}).err, "Maximum connections must be greater than 0\n");

  const std::string nested = Write("nested.conf", "--config-file /etc/x\n");
  const Failure n = Fail({"--config-file", nested});
  EXPECT_EQ(n.code, EX_CONFIG);
  EXPECT_THAT(n.err, HasSubstr("--config-file cannot be used inside a config file"));

  const Failure missing = Fail({"--config-file", dir_ + "/none.conf"});
  EXPECT_EQ(missing.code, EX_NOINPUT);
  EXPECT_EQ(missing.err, "ringcached: cannot read config file " + dir_ +
                             "/none.conf: No such file or directory\n");

  const std::string quote = Write("quote.conf", "-l 'x\n");
  const Failure q = Fail({"--config-file", quote});
  EXPECT_EQ(q.code, EX_CONFIG);
  EXPECT_THAT(q.err, HasSubstr("line 1: unterminated quote"));

  EXPECT_EQ(Fail({"--config-file", bad, "--config-file", bad}).code, EX_USAGE);
  EXPECT_EQ(Fail({"--config-file"}).err,
            "ringcached: option '--config-file' requires an argument\nIllegal argument \"?\"\n");
}

TEST_F(ConfigFileOptionTest, UnknownDirectivesWarn) {
  const std::string path = Write("warn.conf", "frobnicate yes\n-p 5\n");
  ParsedCommandLine p = Parse({"--config-file", path});
  EXPECT_FALSE(p.outcome.stop());
  EXPECT_EQ(p.outcome.Text(Stream::kStderr),
            "ringcached: " + path + ": line 1: ignoring unknown directive \"frobnicate yes\"\n");
  EXPECT_EQ(p.config.port, 5);
}

}  // namespace
}  // namespace ringcache::server
