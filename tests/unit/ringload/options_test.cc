// Command line: the fixed flag names of issue 6, their defaults, the forms
// they accept, and the errors they give.

#include "options.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::ringload {
namespace {

absl::StatusOr<Options> Parse(const std::vector<std::string>& args) { return ParseOptions(args); }

TEST(OptionsTest, DefaultsAreSensible) {
  absl::StatusOr<Options> o = Parse({});
  ASSERT_TRUE(o.ok()) << o.status();
  ASSERT_EQ(o->servers.size(), 1u);
  EXPECT_EQ(o->servers[0].host, "127.0.0.1");
  EXPECT_EQ(o->servers[0].port, 11211);
  EXPECT_EQ(o->threads, 1);
  EXPECT_EQ(o->pipeline, 1);
  EXPECT_EQ(o->key_size, 12u);
  EXPECT_EQ(o->value_min, 32u);
  EXPECT_FALSE(o->open_loop());
  EXPECT_EQ(o->counter_prefix, "n");
}

TEST(OptionsTest, TheIssueSixFlags) {
  absl::StatusOr<Options> o = Parse({"--server",
                                     "10.0.0.1:11211",
                                     "--server=[::1]:11212",
                                     "--server",
                                     "/run/mc.sock",
                                     "--threads",
                                     "4",
                                     "--connections",
                                     "25",
                                     "--pipeline",
                                     "16",
                                     "--duration",
                                     "2.5",
                                     "--keys",
                                     "1M",
                                     "--value-size",
                                     "100-1000",
                                     "--ratio",
                                     "9:1",
                                     "--preload",
                                     "--rate",
                                     "50k",
                                     "--json",
                                     "out.json",
                                     "--report",
                                     "out.html"});
  ASSERT_TRUE(o.ok()) << o.status();
  ASSERT_EQ(o->servers.size(), 3u);
  EXPECT_EQ(o->servers[0].host, "10.0.0.1");
  EXPECT_EQ(o->servers[1].host, "::1");
  EXPECT_EQ(o->servers[1].port, 11212);
  EXPECT_EQ(o->servers[2].unix_path, "/run/mc.sock");
  EXPECT_EQ(o->threads, 4);
  EXPECT_EQ(o->connections, 25);
  EXPECT_EQ(o->pipeline, 16);
  EXPECT_DOUBLE_EQ(o->duration_seconds, 2.5);
  EXPECT_EQ(o->keys, 1'000'000u);
  EXPECT_EQ(o->value_min, 100u);
  EXPECT_EQ(o->value_max, 1000u);
  EXPECT_EQ(o->mix.get, 9u);
  EXPECT_EQ(o->mix.set, 1u);
  EXPECT_TRUE(o->preload);
  EXPECT_DOUBLE_EQ(o->rate, 50'000);
  EXPECT_TRUE(o->open_loop());
  EXPECT_EQ(o->json_path, "out.json");
  EXPECT_EQ(o->report_path, "out.html");
}

TEST(OptionsTest, RatioDistributionProtocol) {
  absl::StatusOr<Options> o = Parse({"--ratio", "8:1:1:2:3", "--distribution", "zipf:1.2",
                                     "--protocol", "binary", "--multiget", "50"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->mix.del, 1u);
  EXPECT_EQ(o->mix.incr, 2u);
  EXPECT_EQ(o->mix.touch, 3u);
  EXPECT_EQ(o->distribution, Distribution::kZipf);
  EXPECT_DOUBLE_EQ(o->zipf_exponent, 1.2);
  EXPECT_EQ(o->protocol, protocol::client::Protocol::kBinary);
  EXPECT_EQ(o->multiget, 50);
  o = Parse({"--zipf-exponent", "0.9"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->distribution, Distribution::kZipf);
  o = Parse({"--key-prefix", "n"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->counter_prefix, "c");  // counters never share names with values
}

TEST(OptionsTest, RejectsBadInput) {
  const std::vector<std::vector<std::string>> bad = {
      {"--threads", "0"},
      {"--threads"},
      {"--pipeline", "x"},
      {"--ratio", "1"},
      {"--ratio", "0:0"},
      {"--ratio", "1:-1"},
      {"--distribution", "pareto"},
      {"--distribution", "uniform:2"},
      {"--value-size", "10-5"},
      {"--server", ":11211"},
      {"--server", "host:99999"},
      {"--protocol", "udp"},
      {"--verify", "--value-size", "16"},
      {"--keys", "100000", "--key-size", "4"},
      {"--duration", "0"},
      {"--duration", "-1"},
      {"--preload=yes"},
      {"--bogus"},
      {"--ratio", "0:1", "--multiget", "10"},
  };
  for (const auto& args : bad) {
    EXPECT_FALSE(Parse(args).ok()) << args[0] << (args.size() > 1 ? " " + args[1] : "");
  }
}

TEST(OptionsTest, HelpIsCancelledWithUsage) {
  absl::StatusOr<Options> o = Parse({"--help"});
  ASSERT_TRUE(absl::IsCancelled(o.status()));
  for (const char* flag :
       {"--server", "--threads", "--connections", "--pipeline", "--duration", "--keys",
        "--value-size", "--ratio", "--preload", "--rate", "--json", "--report"}) {
    EXPECT_NE(std::string(o.status().message()).find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace ringcache::ringload
