// The getopt_long-compatible scanner: grammar, glibc's messages, and the rule
// that ringcache's extra long options never change how memcached's are read.
#include "option_scanner.h"

#include <array>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringcache::server::config_internal {
namespace {

using ::testing::ElementsAre;

constexpr auto kLong = std::to_array<LongOption>({
    {"port", ArgKind::kRequired, 'p'},
    {"verbose", ArgKind::kOptional, 'v'},
    {"version", ArgKind::kNone, 'V'},
    {"daemon", ArgKind::kNone, 'd'},
    {"disable-cas", ArgKind::kNone, 'C'},
    {"conn-limit", ArgKind::kRequired, 'c'},
});
constexpr auto kExtra = std::to_array<LongOption>({{"config-file", ArgKind::kRequired, 1000}});
const OptionGrammar kGrammar{"p:vVdCc:o::", kLong, kExtra};

// One scanned event, flattened for comparisons.
struct Ev {
  std::string what;  // "p=11211", "v", "error:<message>"
  size_t index;
  bool operator==(const Ev&) const = default;
};
void PrintTo(const Ev& e, std::ostream* os) { *os << "{" << e.what << " @" << e.index << "}"; }

std::vector<Ev> Scan(std::vector<std::string> args, bool posixly = false) {
  args.insert(args.begin(), "prog");
  OptionScanner scanner(args, kGrammar, posixly);
  std::vector<Ev> out;
  for (ScanEvent e = scanner.Next(); e.kind != ScanEvent::Kind::kEnd; e = scanner.Next()) {
    if (e.kind == ScanEvent::Kind::kError) {
      out.push_back({"error:" + e.error, e.index});
      continue;
    }
    std::string what = e.id < 256 ? std::string(1, static_cast<char>(e.id)) : std::to_string(e.id);
    if (e.arg.has_value()) what += "=" + std::string(*e.arg);
    out.push_back({what, e.index});
  }
  return out;
}

TEST(OptionScannerTest, ShortOptionsAloneClusteredAndWithArguments) {
  EXPECT_THAT(Scan({"-v", "-p", "11211"}), ElementsAre(Ev{"v", 1}, Ev{"p=11211", 2}));
  EXPECT_THAT(Scan({"-p11211"}), ElementsAre(Ev{"p=11211", 1}));
  EXPECT_THAT(Scan({"-vvd"}), ElementsAre(Ev{"v", 1}, Ev{"v", 1}, Ev{"d", 1}));
  // The rest of a cluster is the argument of an option that takes one.
  EXPECT_THAT(Scan({"-vp11211", "-d"}), ElementsAre(Ev{"v", 1}, Ev{"p=11211", 1}, Ev{"d", 2}));
  // A required argument is the next word, whatever it looks like.
  EXPECT_THAT(Scan({"-p", "-1"}), ElementsAre(Ev{"p=-1", 1}));
  EXPECT_THAT(Scan({"-c", "--port"}), ElementsAre(Ev{"c=--port", 1}));
  // An optional argument only attaches: "-o x" leaves x as an operand.
  EXPECT_THAT(Scan({"-oabc", "-o", "x"}), ElementsAre(Ev{"o=abc", 1}, Ev{"o", 2}));
}

TEST(OptionScannerTest, ShortOptionErrorsUseGlibcMessages) {
  EXPECT_THAT(Scan({"-q"}), ElementsAre(Ev{"error:prog: invalid option -- 'q'\n", 1}));
  EXPECT_THAT(Scan({"-:"}), ElementsAre(Ev{"error:prog: invalid option -- ':'\n", 1}));
  EXPECT_THAT(Scan({"-v", "-p"}),
              ElementsAre(Ev{"v", 1}, Ev{"error:prog: option requires an argument -- 'p'\n", 2}));
  // Scanning goes on after an error, inside the cluster too.
  EXPECT_THAT(Scan({"-vqd"}),
              ElementsAre(Ev{"v", 1}, Ev{"error:prog: invalid option -- 'q'\n", 1}, Ev{"d", 1}));
}

TEST(OptionScannerTest, LongOptionsExactAndWithArguments) {
  EXPECT_THAT(Scan({"--port=1", "--port", "2", "--daemon"}),
              ElementsAre(Ev{"p=1", 1}, Ev{"p=2", 2}, Ev{"d", 4}));
  EXPECT_THAT(Scan({"--port="}), ElementsAre(Ev{"p=", 1}));
  EXPECT_THAT(Scan({"--verbose=3", "--verbose", "3"}), ElementsAre(Ev{"v=3", 1}, Ev{"v", 2}));
}

TEST(OptionScannerTest, LongOptionErrorsUseGlibcMessages) {
  EXPECT_THAT(Scan({"--daemon=1"}),
              ElementsAre(Ev{"error:prog: option '--daemon' doesn't allow an argument\n", 1}));
  // An abbreviation is reported with the full name.
  EXPECT_THAT(Scan({"--da=1"}),
              ElementsAre(Ev{"error:prog: option '--daemon' doesn't allow an argument\n", 1}));
  EXPECT_THAT(Scan({"--port"}),
              ElementsAre(Ev{"error:prog: option '--port' requires an argument\n", 1}));
  EXPECT_THAT(Scan({"--bogus=1"}),
              ElementsAre(Ev{"error:prog: unrecognized option '--bogus=1'\n", 1}));
}

TEST(OptionScannerTest, AmbiguousAbbreviationsListCandidatesInTableOrder) {
  EXPECT_THAT(Scan({"--ver"}),
              ElementsAre(Ev{"error:prog: option '--ver' is ambiguous; possibilities: "
                             "'--verbose' '--version'\n",
                             1}));
  // The text after '=' is part of the quoted option.
  EXPECT_THAT(Scan({"--d=4"}),
              ElementsAre(Ev{"error:prog: option '--d=4' is ambiguous; possibilities: "
                             "'--daemon' '--disable-cas'\n",
                             1}));
  EXPECT_THAT(Scan({"--vers"}), ElementsAre(Ev{"V", 1}));
}

// Every abbreviation of every long option: unique prefixes select the option
// (taking its argument the same way), shared prefixes are ambiguous.
TEST(OptionScannerTest, EveryPrefixOfEveryLongOption) {
  for (const LongOption& o : kLong) {
    for (size_t len = 1; len <= o.name.size(); ++len) {
      const std::string prefix(o.name.substr(0, len));
      int sharing = 0;
      for (const LongOption& other : kLong) sharing += other.name.starts_with(prefix) ? 1 : 0;
      const bool exact = len == o.name.size();
      const std::string word = "--" + prefix + (o.arg == ArgKind::kNone ? "" : "=x");
      const std::vector<Ev> got = Scan({word});
      ASSERT_EQ(got.size(), 1u) << word;
      if (exact || sharing == 1) {
        std::string want(1, static_cast<char>(o.id));
        if (o.arg != ArgKind::kNone) want += "=x";
        EXPECT_EQ(got[0].what, want) << word;
      } else {
        EXPECT_THAT(got[0].what, ::testing::HasSubstr("is ambiguous")) << word;
      }
    }
  }
}

TEST(OptionScannerTest, OperandsAreSkippedAndDoubleDashEndsOptions) {
  EXPECT_THAT(Scan({"foo", "-v", "-", "bar", "-d"}), ElementsAre(Ev{"v", 2}, Ev{"d", 5}));
  EXPECT_THAT(Scan({"-v", "--", "-d"}), ElementsAre(Ev{"v", 1}));
  // POSIXLY_CORRECT: the first operand ends the options.
  EXPECT_THAT(Scan({"-v", "foo", "-d"}, /*posixly=*/true), ElementsAre(Ev{"v", 1}));
}

TEST(OptionScannerTest, ExtraOptionsNeverShadowTheMainTable) {
  EXPECT_THAT(Scan({"--config-file", "a"}), ElementsAre(Ev{"1000=a", 1}));
  // "--con" abbreviates --conn-limit as it does without the extra option.
  EXPECT_THAT(Scan({"--con=5"}), ElementsAre(Ev{"c=5", 1}));
  EXPECT_THAT(Scan({"--co", "5"}), ElementsAre(Ev{"c=5", 1}));
  // An abbreviation only the extra option has is accepted.
  EXPECT_THAT(Scan({"--config=b"}), ElementsAre(Ev{"1000=b", 1}));
}

TEST(OptionScannerTest, NoArgumentsMeansNoEvents) {
  EXPECT_TRUE(Scan({}).empty());
  const std::vector<std::string> none;
  OptionScanner scanner(none, kGrammar, false);
  EXPECT_EQ(scanner.Next().kind, ScanEvent::Kind::kEnd);
}

}  // namespace
}  // namespace ringcache::server::config_internal
