// Outputs of a real run: the JSON parses (checked by /usr/bin/python3's json
// module) and has the fields scripts rely on; the HTML page is
// self-contained; the table and live line carry the figures.

#include "report.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

#include "json_writer.h"
#include "memcached_process.h"
#include "options.h"
#include "run.h"
#include "svg_chart.h"

namespace ringcache::ringload {
namespace {

using testing::MemcachedProcess;

// Runs `script` with /usr/bin/python3 on `input`; returns its stdout.
std::string Python(const std::string& script, const std::string& input) {
  char path[] = "/tmp/ringload-report-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return "";
  std::ofstream(path) << input;
  close(fd);
  const std::string cmd = absl::StrCat("/usr/bin/python3 -c '", script, "' ", path);
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
    pclose(p);
  }
  std::remove(path);
  return out;
}

class ReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    memcached_ = new MemcachedProcess;
    ASSERT_TRUE(memcached_->Start());
    absl::StatusOr<Options> o = ParseOptions(
        {"--server", absl::StrCat("127.0.0.1:", memcached_->port()), "--keys", "1000", "--preload",
         "--ratio", "4:1", "--rate", "5000", "--connections", "4", "--duration", "2", "--quiet"});
    ASSERT_TRUE(o.ok()) << o.status();
    absl::StatusOr<RunResult> r = ringload::Run(*o, nullptr);
    ASSERT_TRUE(r.ok()) << r.status();
    result_ = new RunResult(*std::move(r));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete memcached_;
  }
  static MemcachedProcess* memcached_;
  static RunResult* result_;
};
MemcachedProcess* ReportTest::memcached_ = nullptr;
RunResult* ReportTest::result_ = nullptr;

TEST_F(ReportTest, JsonParsesAndHasTheStableFields) {
  ASSERT_NE(result_, nullptr);
  const std::string json = FormatJson(*result_);
  const std::string out = Python(
      "import json,sys\n"
      "j = json.load(open(sys.argv[1]))\n"
      "l = j[\"latency_us\"]\n"
      "print(int(j[\"ops_per_sec\"]), j[\"errors\"], l[\"p50\"] <= l[\"p99\"] <= l[\"p999\"],\n"
      "      len(j[\"timeline\"]), j[\"by_op\"][\"set\"][\"requests\"] > 0,\n"
      "      j[\"schedule\"][\"target_ops_per_sec\"], j[\"requests\"] == "
      "j[\"latency_us\"][\"count\"])",
      json);
  // About 5000 ops/s, no errors, ordered percentiles, two seconds.
  int ops = 0;
  const auto [end, ec] = std::from_chars(out.data(), out.data() + out.size(), ops);
  ASSERT_EQ(ec, std::errc()) << out << json.substr(0, 500);
  EXPECT_NEAR(ops, 5000, 500);
  EXPECT_NE(out.find(" 0 True 2 True 5000 True"), std::string::npos) << out;
}

TEST_F(ReportTest, HtmlIsSelfContained) {
  ASSERT_NE(result_, nullptr);
  const std::string html = FormatHtml(*result_);
  size_t svgs = 0;
  for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    ++svgs;
  }
  EXPECT_EQ(svgs, 3u) << "throughput, latency per second, percentile curve";
  // Nothing fetched: the only URL is the SVG namespace.
  size_t urls = 0;
  for (size_t at = html.find("http"); at != std::string::npos; at = html.find("http", at + 1)) {
    EXPECT_EQ(html.compare(at, 26, "http://www.w3.org/2000/svg"), 0) << html.substr(at, 40);
    ++urls;
  }
  EXPECT_EQ(urls, svgs);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("intended send time"), std::string::npos);
}

TEST_F(ReportTest, SummaryAndLiveLine) {
  ASSERT_NE(result_, nullptr);
  const std::string table = FormatSummary(*result_);
  EXPECT_NE(table.find("open loop at 5000 ops/s"), std::string::npos) << table;
  EXPECT_NE(table.find("behind schedule"), std::string::npos);
  EXPECT_NE(table.find("errors: none"), std::string::npos);
  ASSERT_FALSE(result_->timeline.empty());
  const std::string live = FormatLiveLine(result_->timeline[0]);
  EXPECT_NE(live.find("ops/s"), std::string::npos);
  EXPECT_NE(live.find("p99"), std::string::npos);
  EXPECT_NE(live.find("errors 0"), std::string::npos) << live;
}

TEST(JsonWriterTest, EscapesAndNests) {
  JsonWriter w;
  w.BeginObject().Field("s", "a\"b\\c\n\x01").Key("a").BeginArray().Int(-1).Uint(2).Double(0.5);
  w.Double(1.0 / 0.0).Bool(true).EndArray().Key("o").BeginObject().EndObject().EndObject();
  const std::string out = Python(
      "import json,sys\nprint(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))", w.str());
  EXPECT_EQ(out,
            "{\"a\": [-1, 2, 0.5, null, true], \"o\": {}, \"s\": \"a\\\"b\\\\c\\n\\u0001\"}\n");
}

TEST(SvgChartTest, EscapesTextAndDrawsEverySeries) {
  LineChart chart("a <b> & c", {.label = "x"}, {.label = "y", .log = true});
  chart.Add({"one", "#123456", {{0, 1}, {1, 10}, {2, 100}}});
  chart.Add({"two", "red", {{0, 5}}});
  const std::string svg = chart.Svg(400, 200);
  EXPECT_NE(svg.find("a &lt;b&gt; &amp; c"), std::string::npos);
  EXPECT_NE(svg.find("stroke=\"#123456\""), std::string::npos);
  EXPECT_NE(svg.find("<circle"), std::string::npos) << "a one-point series is a dot";
  EXPECT_NE(svg.find(">100<"), std::string::npos) << "log ticks at powers of ten";
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  const std::string empty = LineChart("none", {}, {}).Svg(300, 100);
  EXPECT_NE(empty.find("no data"), std::string::npos);
}

}  // namespace
}  // namespace ringcache::ringload
