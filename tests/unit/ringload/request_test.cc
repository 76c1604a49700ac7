// Request composers: the exact bytes of each protocol's requests, sizes
// within the advertised bounds, and every composed request understood by the
// real memcached (Debian's 1.6.18) with the reply our parsers expect.

#include "ringcache/protocol/client/request.h"

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

#include "memcached_process.h"
#include "ringcache/protocol/client/reply_parser.h"

namespace ringcache::protocol::client {
namespace {

using ringload::testing::MemcachedProcess;

std::string Compose(Protocol p, const std::function<char*(const RequestComposer&, char*)>& fn) {
  std::string buf(64 * 1024, '\0');
  const RequestComposer composer(p);
  char* end = fn(composer, buf.data());
  buf.resize(end - buf.data());
  return buf;
}

std::string Get(Protocol p, std::vector<std::string_view> keys) {
  return Compose(p, [&](const RequestComposer& c, char* out) { return c.Get(keys, out); });
}

std::string Set(Protocol p, std::string_view key, uint32_t flags, uint32_t exptime,
                std::string_view value) {
  return Compose(p, [&](const RequestComposer& c, char* out) {
    char* v = c.BeginStore(key, flags, exptime, value.size(), out);
    std::memcpy(v, value.data(), value.size());
    return c.EndStore(v + value.size());
  });
}

TEST(RequestTest, TextBytes) {
  EXPECT_EQ(Get(Protocol::kText, {"foo"}), "get foo\r\n");
  EXPECT_EQ(Get(Protocol::kText, {"a", "bb", "ccc"}), "get a bb ccc\r\n");
  EXPECT_EQ(Set(Protocol::kText, "k", 5, 100, "hello"), "set k 5 100 5\r\nhello\r\n");
  EXPECT_EQ(Compose(Protocol::kText, [](auto& c, char* o) { return c.Delete("k", o); }),
            "delete k\r\n");
  EXPECT_EQ(Compose(Protocol::kText, [](auto& c, char* o) { return c.Incr("n", 42, o); }),
            "incr n 42\r\n");
  EXPECT_EQ(Compose(Protocol::kText, [](auto& c, char* o) { return c.Touch("k", 60, o); }),
            "touch k 60\r\n");
}

TEST(RequestTest, MetaBytes) {
  EXPECT_EQ(Get(Protocol::kMeta, {"foo"}), "mg foo v f\r\n");
  EXPECT_EQ(Get(Protocol::kMeta, {"a", "b"}), "mg a v f k q\r\nmg b v f k q\r\nmn\r\n");
  EXPECT_EQ(Set(Protocol::kMeta, "k", 0, 0, "xy"), "ms k 2\r\nxy\r\n");
  EXPECT_EQ(Set(Protocol::kMeta, "k", 7, 30, "xy"), "ms k 2 F7 T30\r\nxy\r\n");
  EXPECT_EQ(Compose(Protocol::kMeta, [](auto& c, char* o) { return c.Delete("k", o); }),
            "md k\r\n");
  EXPECT_EQ(Compose(Protocol::kMeta, [](auto& c, char* o) { return c.Incr("n", 1, o); }),
            "ma n D1\r\n");
  EXPECT_EQ(Compose(Protocol::kMeta, [](auto& c, char* o) { return c.Touch("k", 9, o); }),
            "mg k T9\r\n");
}

TEST(RequestTest, BinaryBytes) {
  const std::string get = Get(Protocol::kBinary, {"key"});
  ASSERT_EQ(get.size(), 24u + 3);
  EXPECT_EQ(static_cast<uint8_t>(get[0]), 0x80);
  EXPECT_EQ(get[1], 0x00);
  EXPECT_EQ(get[3], 3);   // key length
  EXPECT_EQ(get[11], 3);  // body length
  EXPECT_EQ(get.substr(24), "key");
  const std::string set = Set(Protocol::kBinary, "k", 0x01020304, 60, "vv");
  ASSERT_EQ(set.size(), 24u + 8 + 1 + 2);
  EXPECT_EQ(set[1], 0x01);
  EXPECT_EQ(set[4], 8);    // extras
  EXPECT_EQ(set[11], 11);  // body: extras + key + value
  EXPECT_EQ(set.substr(24, 8), std::string("\x01\x02\x03\x04\x00\x00\x00\x3c", 8));
  EXPECT_EQ(set.substr(32), "kvv");
  const std::string multi = Get(Protocol::kBinary, {"a", "b"});
  ASSERT_EQ(multi.size(), (24u + 1) * 2 + 24);
  EXPECT_EQ(multi[1], 0x0d);       // GETKQ
  EXPECT_EQ(multi[25 + 1], 0x0d);  // GETKQ
  EXPECT_EQ(multi[50 + 1], 0x0a);  // NOOP
}

TEST(RequestTest, SizesStayWithinTheirBounds) {
  const std::string key(250, 'k');
  for (const Protocol p : {Protocol::kText, Protocol::kMeta, Protocol::kBinary}) {
    std::vector<std::string_view> keys(100, key);
    EXPECT_LE(Get(p, keys).size(), RequestComposer::MaxGetSize(100, 100 * 250));
    EXPECT_LE(Get(p, {key}).size(), RequestComposer::MaxGetSize(1, 250));
    const std::string value(1000, 'v');
    EXPECT_LE(Set(p, key, UINT32_MAX, UINT32_MAX, value).size(),
              RequestComposer::MaxStoreSize(250, 1000));
    for (auto fn :
         {+[](const RequestComposer&c, std::string_view k, char*o) { return c.Delete(k, o); },
          +[](const RequestComposer&c, std::string_view k, char*o) {
            return c.Incr(k, UINT64_MAX, o);
          },
          +[](const RequestComposer&c, std::string_view k, char*o) {
            return c.Touch(k, UINT32_MAX, o);
          }}) {
      const std::string bytes =
          Compose(p, [&](const RequestComposer& c, char* o) { return fn(c, key, o); });
      EXPECT_LE(bytes.size(), RequestComposer::MaxKeyCommandSize(250));
    }
  }
}

TEST(RequestTest, ProtocolNames) {
  Protocol p;
  for (const Protocol want : {Protocol::kText, Protocol::kMeta, Protocol::kBinary}) {
    ASSERT_TRUE(ParseProtocol(ProtocolName(want), &p));
    EXPECT_EQ(p, want);
  }
  EXPECT_FALSE(ParseProtocol("ascii", &p));
}

// Every request of every protocol against the real memcached: the reply
// kinds are the ones ringload's exchange logic expects.
class RequestAgainstMemcachedTest : public ::testing::TestWithParam<Protocol> {};

TEST_P(RequestAgainstMemcachedTest, RepliesAreWhatTheClientExpects) {
  MemcachedProcess memcached;
  ASSERT_TRUE(memcached.Start()) << "cannot start /usr/bin/memcached";
  const Protocol p = GetParam();
  auto round_trip = [&](const std::string& request, size_t replies) {
    std::vector<std::string> kinds;
    std::string in = memcached.Exchange(request, [&](std::string_view got) {
      size_t off = 0;
      size_t n = 0;
      Reply r;
      while (true) {
        const ParseResult pr = ParseReply(p, got.substr(off), &r);
        if (pr.status != ParseStatus::kOk) return pr.status == ParseStatus::kInvalid;
        off += pr.size;
        if (++n == replies) return true;
      }
    });
    size_t off = 0;
    Reply r;
    while (off < in.size()) {
      const ParseResult pr = ParseReply(p, std::string_view{in}.substr(off), &r);
      if (pr.status != ParseStatus::kOk) {
        kinds.push_back("unparsed");
        break;
      }
      kinds.push_back(std::string(ReplyKindName(r.kind)));
      off += pr.size;
    }
    return kinds;
  };
  const bool meta = p == Protocol::kMeta;
  const std::string stored = meta ? "header" : "stored";
  EXPECT_EQ(round_trip(Set(p, "rk1", 3, 0, "hello"), 1), std::vector<std::string>{stored});
  EXPECT_EQ(round_trip(Set(p, "rn", 0, 0, "10"), 1), std::vector<std::string>{stored});
  if (p == Protocol::kText) {
    EXPECT_EQ(round_trip(Get(p, {"rk1"}), 2), (std::vector<std::string>{"value", "end"}));
    EXPECT_EQ(round_trip(Get(p, {"missing"}), 1), std::vector<std::string>{"end"});
    EXPECT_EQ(round_trip(Get(p, {"rk1", "missing", "rn"}), 3),
              (std::vector<std::string>{"value", "value", "end"}));
  } else {
    EXPECT_EQ(round_trip(Get(p, {"rk1"}), 1), std::vector<std::string>{"value"});
    EXPECT_EQ(round_trip(Get(p, {"missing"}), 1), std::vector<std::string>{"miss"});
    EXPECT_EQ(round_trip(Get(p, {"rk1", "missing", "rn"}), 3),
              (std::vector<std::string>{"value", "value", "noop"}));
  }
  auto one = [&](const std::function<char*(const RequestComposer&, char*)>& fn) {
    return round_trip(Compose(p, fn), 1);
  };
  EXPECT_EQ(one([](auto& c, char* o) { return c.Incr("rn", 5, o); }),
            std::vector<std::string>{meta ? "header" : "number"});
  EXPECT_EQ(one([](auto& c, char* o) { return c.Incr("missing", 5, o); }),
            std::vector<std::string>{"not_found"});
  EXPECT_EQ(one([](auto& c, char* o) { return c.Touch("rk1", 100, o); }),
            std::vector<std::string>{meta ? "header" : "touched"});
  EXPECT_EQ(one([](auto& c, char* o) { return c.Touch("missing", 100, o); }),
            std::vector<std::string>{meta ? "miss" : "not_found"});
  EXPECT_EQ(one([](auto& c, char* o) { return c.Delete("rk1", o); }),
            std::vector<std::string>{meta ? "header" : "deleted"});
  EXPECT_EQ(one([](auto& c, char* o) { return c.Delete("rk1", o); }),
            std::vector<std::string>{"not_found"});
}

INSTANTIATE_TEST_SUITE_P(Protocols, RequestAgainstMemcachedTest,
                         ::testing::Values(Protocol::kText, Protocol::kMeta, Protocol::kBinary),
                         [](const auto& info) { return std::string(ProtocolName(info.param)); });

}  // namespace
}  // namespace ringcache::protocol::client
