// memcached's listener syntax (-l with notls:, proto[..]:, tag[..]:, IPv6
// brackets and ports) and its bind-time errors, planned before binding.
#include "ringcache/server/config_listen.h"

#include <string>
#include <vector>

#include <sysexits.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "ringcache/server/config_parser.h"

namespace ringcache::server {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

Config ConfigFor(std::vector<std::string> args) {
  args.insert(args.begin(), "ringcached");
  HostFacts host;
  host.allowed_cpus = 2;
  ParsedCommandLine p = ParseCommandLine(args, host);
  EXPECT_FALSE(p.outcome.stop()) << p.outcome.Text(Stream::kStderr);
  return p.config;
}

ListenPlan PlanFor(std::vector<std::string> args) { return PlanListeners(ConfigFor(args)); }

ListenerSpec Tcp(std::string host, int port) {
  ListenerSpec s;
  s.transport = io::Transport::kTcp;
  s.host = std::move(host);
  s.port = port;
  return s;
}

ListenerSpec Udp(std::string host, int port) {
  ListenerSpec s = Tcp(std::move(host), port);
  s.transport = io::Transport::kUdp;
  return s;
}

void ExpectRefused(std::vector<std::string> args, const std::string& err) {
  SCOPED_TRACE(testing::PrintToString(args));
  const ListenPlan plan = PlanFor(std::move(args));
  EXPECT_EQ(plan.outcome.exit_code(), EX_OSERR);
  EXPECT_EQ(plan.outcome.Text(Stream::kStderr), err);
}

TEST(ConfigListenTest, DefaultIsEveryAddressOnTcpOnly) {
  const ListenPlan plan = PlanFor({});
  EXPECT_FALSE(plan.outcome.stop());
  EXPECT_THAT(plan.listeners, ElementsAre(Tcp("", 11211)));
}

TEST(ConfigListenTest, PortSemanticsOfIssue67) {
  EXPECT_THAT(PlanFor({"-p", "0"}).listeners, IsEmpty());                 // TCP off
  EXPECT_THAT(PlanFor({"-p", "-1"}).listeners, ElementsAre(Tcp("", 0)));  // any port
  EXPECT_THAT(PlanFor({"-U", "11222"}).listeners,                         // UDP moves TCP
              ElementsAre(Tcp("", 11222), Udp("", 11222)));
  EXPECT_THAT(PlanFor({"-p", "-1", "-U", "-1"}).listeners, ElementsAre(Tcp("", 0), Udp("", 0)));
  EXPECT_THAT(PlanFor({"-p", "11232", "-U", "0"}).listeners, ElementsAre(Tcp("", 11232)));
  EXPECT_THAT(PlanFor({"-s", "/tmp/ringcache.sock", "-U", "5"}).listeners, IsEmpty());
}

TEST(ConfigListenTest, AddressForms) {
  const ListenPlan plan =
      PlanFor({"-p", "7000", "-l", "127.0.0.1,[::1]:7001;*:7002,::1,localhost:7003,[::1]"});
  ASSERT_FALSE(plan.outcome.stop()) << plan.outcome.Text(Stream::kStderr);
  EXPECT_THAT(plan.listeners,
              ElementsAre(Tcp("127.0.0.1", 7000), Tcp("::1", 7001), Tcp("", 7002), Tcp("::1", 7000),
                          Tcp("localhost", 7003), Tcp("::1", 7000)));
  // Each transport gets every address.
  EXPECT_THAT(PlanFor({"-p", "1", "-U", "2", "-l", "127.0.0.1"}).listeners,
              ElementsAre(Tcp("127.0.0.1", 1), Udp("127.0.0.1", 2)));
}

TEST(ConfigListenTest, PrefixesChooseTlsProtocolAndTag) {
  const ListenPlan plan =
      PlanFor({"-Z", "-B", "binary", "-l",
               "notls:127.0.0.1:1,proto[ascii]:127.0.0.1:2,proto[n]:127.0.0.1:3,"
               "proto[foo]:127.0.0.1:4,tag[abc]:127.0.0.1:5,notls:proto[a]:tag[z]:127.0.0.1:6"});
  ASSERT_FALSE(plan.outcome.stop()) << plan.outcome.Text(Stream::kStderr);
  ASSERT_EQ(plan.listeners.size(), 6u);
  const std::vector<ListenerSpec>& l = plan.listeners;
  EXPECT_FALSE(l[0].tls);
  EXPECT_TRUE(l[1].tls);
  EXPECT_EQ(l[0].protocol, BindingProtocol::kBinary);
  EXPECT_EQ(l[1].protocol, BindingProtocol::kAscii);
  EXPECT_EQ(l[2].protocol, BindingProtocol::kNegotiating);  // a prefix of the name is enough
  EXPECT_EQ(l[3].protocol, BindingProtocol::kBinary);       // unknown names keep -B
  EXPECT_EQ(l[4].tag, uint64_t{'a'} | uint64_t{'b'} << 8 | uint64_t{'c'} << 16);
  EXPECT_EQ(l[4].host, "127.0.0.1");
  EXPECT_EQ(l[4].port, 5);
  EXPECT_FALSE(l[5].tls);
  EXPECT_EQ(l[5].protocol, BindingProtocol::kAscii);
  EXPECT_EQ(l[5].tag, uint64_t{'z'});
}

TEST(ConfigListenTest, SyntaxErrorsAsMemcachedPrintsThem) {
  ExpectRefused({"-l", "notls:127.0.0.1"},
                "'notls' option is valid only when SSL is enabled\n"
                "failed to listen on one of interface(s) notls:127.0.0.1: Success\n");
  ExpectRefused({"-l", "127.0.0.1:abc"},
                "Invalid port number: \"abc\"\n"
                "failed to listen on one of interface(s) 127.0.0.1:abc: Success\n");
  // memcached prints this one without a newline.
  ExpectRefused({"-l", "[::1"},
                "Invalid IPV6 address: \"[::1\"failed to listen on one of interface(s) [::1: "
                "Success\n");
  ExpectRefused({"-l", "tag[toolongtag]:127.0.0.1"},
                "Listener tags must be between 1 and 8 characters: \"toolongtag\"\n"
                "failed to listen on one of interface(s) tag[toolongtag]:127.0.0.1: Success\n");
  ExpectRefused({"-l", "tag[x"},
                "Invalid tag in socket config: \"[x\"\n"
                "failed to listen on one of interface(s) tag[x: Success\n");
  ExpectRefused({"-l", "proto[ascii"},
                "Invalid protocol spec: \"[ascii\"\n"
                "failed to listen on one of interface(s) proto[ascii: Success\n");
  // The message quotes the start of memcached's cut-up copy of the list.
  ExpectRefused({"-l", "proto[proxy]:127.0.0.1:22333"},
                "Server not built with proxy: \"proto[proxy\"\n"
                "failed to listen on one of interface(s) proto[proxy]:127.0.0.1:22333: Success\n");
  ExpectRefused({"-l", "127.0.0.1:5,proto[proxy]:127.0.0.1"},
                "Server not built with proxy: \"127.0.0.1\"\n"
                "failed to listen on one of interface(s) 127.0.0.1:5,proto[proxy]:127.0.0.1: "
                "Success\n");
}

TEST(ConfigListenTest, NamesThatDoNotResolve) {
  const ListenPlan plan = PlanFor({"-l", "fooble.invalid,127.0.0.1"});
  EXPECT_EQ(plan.outcome.exit_code(), EX_OSERR);
  const std::vector<OutcomeMessage>& m = plan.outcome.messages();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_THAT(m[0].text, StartsWith("getaddrinfo(): "));
  EXPECT_EQ(m[1].text,
            "failed to listen on one of interface(s) fooble.invalid,127.0.0.1: Success\n");
  // Later entries are still looked at, as memcached binds them before failing.
  EXPECT_THAT(plan.listeners, ElementsAre(Tcp("127.0.0.1", 11211)));

  // TCP off: the list is only used for UDP, which is off too.
  EXPECT_FALSE(PlanFor({"-l", "fooble.invalid", "-p", "0"}).outcome.stop());
  const ListenPlan udp = PlanFor({"-l", "fooble.invalid", "-p", "0", "-U", "22444"});
  EXPECT_EQ(udp.outcome.exit_code(), EX_OSERR);
  EXPECT_EQ(udp.outcome.messages().size(), 2u);
}

TEST(ConfigListenTest, EmptyListListensNowhere) {
  const ListenPlan plan = PlanFor({"-l", ""});
  EXPECT_FALSE(plan.outcome.stop());
  EXPECT_THAT(plan.listeners, IsEmpty());
}

}  // namespace
}  // namespace ringcache::server
