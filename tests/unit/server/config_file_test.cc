// Debian's /etc/memcached.conf format as its wrapper scripts read it.
#include "ringcache/server/config_file.h"

#include <cstdio>
#include <fstream>
#include <string>

#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringcache::server {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

ConfigFileContents ParseOk(std::string_view text) {
  absl::StatusOr<ConfigFileContents> c = ParseConfigFileText(text);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : ConfigFileContents{};
}

TEST(ConfigFileTest, OptionLinesBecomeWordsInOrder) {
  const ConfigFileContents c = ParseOk("-m 64\n-p 11211\n  -l 127.0.0.1  \n\n-vv\n-o a=b,c\n");
  EXPECT_THAT(c.args,
              ElementsAre("-m", "64", "-p", "11211", "-l", "127.0.0.1", "-vv", "-o", "a=b,c"));
  EXPECT_THAT(c.warnings, IsEmpty());
  EXPECT_EQ(c.log_file, "");
}

TEST(ConfigFileTest, CommentsAndEscapedHashes) {
  const ConfigFileContents c = ParseOk("# a comment\n-m 64 # trailing\n-D \\#\n   # indented\n");
  EXPECT_THAT(c.args, ElementsAre("-m", "64", "-D", "#"));
}

TEST(ConfigFileTest, DaemonAndHelpLinesAreSkipped) {
  EXPECT_THAT(ParseOk("-d\n-h\n-dv\n--daemon\n-p 1\n").args, ElementsAre("--daemon", "-p", "1"));
}

TEST(ConfigFileTest, DirectivesLogfileAndUnknown) {
  const ConfigFileContents c =
      ParseOk("logfile /var/log/a.log\nlogfile   /var/log/b.log\nfrob 1\nlonely\n");
  EXPECT_EQ(c.log_file, "/var/log/b.log");
  EXPECT_THAT(c.warnings, ElementsAre("line 3: ignoring unknown directive \"frob 1\"",
                                      "line 4: ignoring unknown directive \"lonely\""));
  EXPECT_THAT(c.args, IsEmpty());
}

TEST(ConfigFileTest, ShellQuoting) {
  EXPECT_THAT(ParseOk("-P '/tmp/a b' -e \"/tmp/c \\\"d\\\"\" -s /tmp/e\\ f\n").args,
              ElementsAre("-P", "/tmp/a b", "-e", "/tmp/c \"d\"", "-s", "/tmp/e f"));
  EXPECT_THAT(ParseOk("-o 'a'\"b\"c\n").args, ElementsAre("-o", "abc"));
  EXPECT_THAT(ParseOk("-u ''\n").args, ElementsAre("-u", ""));
  EXPECT_FALSE(ParseConfigFileText("-P 'open\n").ok());
  EXPECT_FALSE(ParseConfigFileText("-P \"open\n").ok());
  EXPECT_EQ(ParseConfigFileText("-p 1\n-P \"open\n").status().message(),
            "line 2: unterminated quote");
}

TEST(ConfigFileTest, NoFinalNewlineAndCarriageReturns) {
  EXPECT_THAT(ParseOk("-p 1\r\n-m 2").args, ElementsAre("-p", "1", "-m", "2"));
}

// Debian's shipped file, as installed by the memcached package, must read
// without warnings into the options its wrapper would pass.
TEST(ConfigFileTest, DebiansShippedFileReadsAsItsWrapperReadsIt) {
  const char* kPath = "/etc/memcached.conf";
  if (access(kPath, R_OK) != 0) GTEST_SKIP() << kPath << " is not installed";
  absl::StatusOr<ConfigFileContents> c = ReadConfigFile(kPath);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->warnings, IsEmpty());
  EXPECT_THAT(c->args, ::testing::IsSupersetOf({"-m", "-p", "-u", "-l"}));
  EXPECT_THAT(c->args, ::testing::Not(::testing::Contains("-d")));
  EXPECT_EQ(c->log_file, "/var/log/memcached.log");
}

TEST(ConfigFileTest, ReadErrors) {
  absl::StatusOr<ConfigFileContents> missing = ReadConfigFile("/nonexistent/ringcache.conf");
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_EQ(missing.status().message(), "/nonexistent/ringcache.conf: No such file or directory");
  // A directory opens but cannot be read.
  EXPECT_TRUE(absl::IsDataLoss(ReadConfigFile("/").status()));
  // An endless file is refused once it passes the size cap.
  EXPECT_TRUE(absl::IsFailedPrecondition(ReadConfigFile("/dev/zero").status()));
}

TEST(ConfigFileTest, ReadsARealFile) {
  char path[] = "/tmp/ringcache-conf-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "-p 7\nlogfile /tmp/log\n";
  absl::StatusOr<ConfigFileContents> c = ReadConfigFile(path);
  std::remove(path);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->args, ElementsAre("-p", "7"));
  EXPECT_EQ(c->log_file, "/tmp/log");
}

}  // namespace
}  // namespace ringcache::server
