// Differential tests of the binary protocol, watch lines and UDP framing
// against the reference (Debian's memcached 1.6.18): malformed binary
// packets must get the same error packet (or close); a scripted binary
// session of every command must get, byte for byte except CAS values, the
// responses the binary composers build for the same outcomes; watch lines
// and UDP datagrams must equal what a live watcher and UDP client receive.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"

#include "binary_test_util.h"
#include "reference_server.h"
#include "ringcache/protocol/binary_composer.h"
#include "ringcache/protocol/text_composer.h"
#include "ringcache/protocol/udp_frame.h"
#include "ringcache/protocol/watch_lines.h"

namespace ringcache::protocol {
namespace {

using testing::Connection;
using testing::Hex;

class WireReference : public testing::MemcachedReference {};

namespace bin = binary;
using testing::Be32;
using testing::Be64;

std::string BinOp(uint8_t opcode, uint32_t opaque, std::string key = {}, std::string extras = {},
                  std::string value = {}) {
  testing::PacketSpec s;
  s.opcode = opcode;
  s.opaque = opaque;
  s.key = std::move(key);
  s.extras = std::move(extras);
  s.value = std::move(value);
  return testing::Packet(s);
}

// Response packets with their CAS zeroed (CAS values are the server's).
std::string MaskCas(std::string stream) {
  size_t pos = 0;
  while (pos + bin::kHeaderSize <= stream.size()) {
    const bin::ResponseHeader h = bin::DecodeResponseHeader(stream.data() + pos);
    std::memset(stream.data() + pos + 16, 0, 8);
    pos += bin::kHeaderSize + h.body_length;
  }
  return stream;
}

TEST_F(WireReference, BinarySessionMatchesComposers) {
  base::BlockPool pool;
  base::OutBuffer expected(&pool);
  std::string wire;
  uint32_t opaque = 100;
  // Adds a request and, through `respond`, the response our composers give
  // for the outcome memcached must reach.
  auto step = [&](const std::string& packet, auto respond) {
    wire += packet;
    bin::Request req;
    ASSERT_EQ(bin::ParseRequest(packet, &req).status, bin::ParseStatus::kRequest);
    respond(req);
  };
  const std::string set_extras = Be32(5) + Be32(0);
  const uint32_t never = 0xffffffff;
  step(BinOp(0x01, ++opaque, "bk", set_extras, "abc"),
       [&](auto& r) { bin::AppendSuccess(expected, r, 0); });
  step(BinOp(0x00, ++opaque, "bk"), [&](auto& r) {
    bin::AppendGetHit(expected, r, 5, 3, 0);
    expected.Append("abc");
  });
  step(BinOp(0x0c, ++opaque, "bk"), [&](auto& r) {
    bin::AppendGetHit(expected, r, 5, 3, 0);
    expected.Append("abc");
  });
  step(BinOp(0x0d, ++opaque, "missing"), [&](auto& r) { bin::AppendGetMiss(expected, r); });
  step(BinOp(0x0c, ++opaque, "missing"), [&](auto& r) { bin::AppendGetMiss(expected, r); });
  step(BinOp(0x00, ++opaque, "missing"), [&](auto& r) { bin::AppendGetMiss(expected, r); });
  step(BinOp(0x02, ++opaque, "bk", set_extras, "x"),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kKeyExists); });
  step(BinOp(0x03, ++opaque, "nokey", set_extras, "x"),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kKeyNotFound); });
  step(BinOp(0x0e, ++opaque, "nokey", "", "x"),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kNotStored); });
  step(BinOp(0x19, ++opaque, "bk", "", "def"),
       [&](auto& r) { bin::AppendSuccess(expected, r, 0); });
  step(BinOp(0x00, ++opaque, "bk"), [&](auto& r) {
    bin::AppendGetHit(expected, r, 5, 6, 0);
    expected.Append("abcdef");
  });
  step(BinOp(0x05, ++opaque, "cnt", Be64(1) + Be64(100) + Be32(0)),
       [&](auto& r) { bin::AppendCounter(expected, r, 100, 0); });
  step(BinOp(0x05, ++opaque, "cnt", Be64(5) + Be64(0) + Be32(0)),
       [&](auto& r) { bin::AppendCounter(expected, r, 105, 0); });
  step(BinOp(0x06, ++opaque, "cnt", Be64(1000) + Be64(0) + Be32(0)),
       [&](auto& r) { bin::AppendCounter(expected, r, 0, 0); });
  step(BinOp(0x05, ++opaque, "bk", Be64(1) + Be64(0) + Be32(0)),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kDeltaBadValue); });
  step(BinOp(0x05, ++opaque, "nocnt", Be64(1) + Be64(0) + Be32(never)),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kKeyNotFound); });
  step(BinOp(0x1c, ++opaque, "bk", Be32(100)),
       [&](auto& r) { bin::AppendGetHit(expected, r, 5, 6, 0); });
  step(BinOp(0x1d, ++opaque, "bk", Be32(100)), [&](auto& r) {
    bin::AppendGetHit(expected, r, 5, 6, 0);
    expected.Append("abcdef");
  });
  step(BinOp(0x24, ++opaque, "bk", Be32(100)), [&](auto& r) {
    bin::AppendGetHit(expected, r, 5, 6, 0);
    expected.Append("abcdef");
  });
  step(BinOp(0x1e, ++opaque, "missing", Be32(100)),
       [&](auto& r) { bin::AppendGetMiss(expected, r); });
  step(BinOp(0x04, ++opaque, "bk"), [&](auto& r) { bin::AppendSuccess(expected, r, 0); });
  step(BinOp(0x14, ++opaque, "bk"),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kKeyNotFound); });
  step(BinOp(0x0b, ++opaque), [&](auto& r) { bin::AppendVersion(expected, r, "1.6.18"); });
  step(BinOp(0x10, ++opaque, "foo"),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kKeyNotFound); });
  step(BinOp(0x18, ++opaque), [&](auto& r) { bin::AppendSuccess(expected, r, 0); });
  const uint32_t last = 0xC0FFEE;
  step(BinOp(0x0a, last), [&](auto& r) { bin::AppendSuccess(expected, r, 0); });

  std::string want;
  expected.CopyTo(&want);
  Connection conn(port_);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(conn.Send(wire));
  bool closed = false;
  const std::string noop = want.substr(want.size() - bin::kHeaderSize);
  std::string got = conn.ReadUntil(noop, &closed);
  ASSERT_FALSE(closed);
  got += noop;
  EXPECT_EQ(MaskCas(got), MaskCas(want)) << "memcached:\n"
                                         << Hex(got) << "\ncomposed:\n"
                                         << Hex(want);
}

TEST_F(WireReference, BinaryParseErrorsMatch) {
  struct Case {
    std::string name;
    std::string packet;
  };
  testing::PacketSpec long_key;
  long_key.key = std::string(251, 'k');
  long_key.opaque = 3;
  testing::PacketSpec key_over_body;
  key_over_body.key = "abc";
  key_over_body.body_length = 2;
  key_over_body.opaque = 4;
  testing::PacketSpec unknown;
  unknown.opcode = 0x50;
  unknown.key = "abc";
  unknown.opaque = 5;
  testing::PacketSpec bad_magic;
  bad_magic.magic = 0x82;
  const std::vector<Case> cases = {
      {"key over 250", testing::Packet(long_key)},
      {"key longer than body", testing::Packet(key_over_body)},
      {"unknown opcode", testing::Packet(unknown) + "xyz"},
      // memcached picks the protocol from a connection's first byte, so a
      // bad magic is only seen once the connection speaks binary.
      {"bad magic", BinOp(0x0a, 11) + testing::Packet(bad_magic)},
      {"get with extras", BinOp(0x00, 6, "k", Be32(1))},
      {"set without extras", BinOp(0x01, 7, "k", "", "abc")},
      {"noop with body", BinOp(0x0a, 8, "", "", "x")},
      {"incr short extras", BinOp(0x05, 9, "n", Be64(1))},
      {"flush with key", BinOp(0x08, 10, "k")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    bin::Request req;
    base::BlockPool pool;
    base::OutBuffer out(&pool);
    std::string_view packet = c.packet;
    bin::ParseResult r = bin::ParseRequest(packet, &req);
    while (r.status == bin::ParseStatus::kRequest) {  // leading valid packets
      bin::AppendSuccess(out, req, 0);
      packet.remove_prefix(r.consumed);
      r = bin::ParseRequest(packet, &req);
    }
    ASSERT_NE(r.status, bin::ParseStatus::kNeedMore);
    bool expect_close = true;
    if (r.status == bin::ParseStatus::kError) {
      bin::AppendError(out, req.header, r.error);
      expect_close = r.close;
      if (!expect_close) {
        ASSERT_EQ(packet.size(), r.consumed + r.swallow);
      }
    }
    const std::string noop = BinOp(0x0a, 0xC0FFEE);
    std::string want;
    out.CopyTo(&want);
    Connection conn(port_);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(conn.Send(c.packet + noop));
    bool closed = false;
    std::string noop_reply;
    {
      bin::Request noop_req;
      ASSERT_EQ(bin::ParseRequest(noop, &noop_req).status, bin::ParseStatus::kRequest);
      base::OutBuffer o(&pool);
      bin::AppendSuccess(o, noop_req, 0);
      o.CopyTo(&noop_reply);
    }
    const std::string got = conn.ReadUntil(noop_reply, &closed, 1000);
    if (expect_close) {
      EXPECT_TRUE(closed) << Hex(got);
      EXPECT_EQ(got, want) << "memcached:\n" << Hex(got) << "\ncomposed:\n" << Hex(want);
    } else {
      EXPECT_FALSE(closed);
      EXPECT_EQ(got, want) << "memcached:\n" << Hex(got) << "\ncomposed:\n" << Hex(want);
    }
  }
}

// The number after `field=` in `line`.
int64_t Field(const std::string& line, const std::string& field) {
  const size_t at = line.find(" " + field + "=");
  if (at == std::string::npos) return -1;
  return std::strtoll(line.c_str() + at + field.size() + 2, nullptr, 10);
}

WatchStamp StampOf(const std::string& line) {
  WatchStamp s;
  s.seconds = std::strtoll(line.c_str() + 3, nullptr, 10);
  s.microseconds =
      static_cast<int32_t>(std::strtol(line.c_str() + line.find('.') + 1, nullptr, 10));
  s.gid = static_cast<uint64_t>(Field(line, "gid"));
  return s;
}

TEST_F(WireReference, WatchLinesMatchALiveWatcher) {
  Connection watcher(port_);
  ASSERT_TRUE(watcher.ok());
  ASSERT_TRUE(watcher.Send("watch fetchers mutations\r\n"));
  ASSERT_EQ(watcher.ReadLine(), "OK\r\n");
  Connection client(port_);
  ASSERT_TRUE(client.ok());
  bool closed = false;
  ASSERT_TRUE(client.Send("get w:miss\r\nset w:a%b 0 0 3\r\nabc\r\nget w:a%b\r\nmn\r\n"));
  client.ReadUntil("MN\r\n", &closed);
  // memcached's store looks the old item up first, which a fetchers watcher
  // sees as one more item_get.
  std::vector<std::string> lines;
  for (int i = 0; i < 4; ++i) lines.push_back(watcher.ReadLine());
  base::BlockPool pool;
  base::OutBuffer out(&pool);
  const int fd = static_cast<int>(Field(lines[0], "cfd"));
  const uint32_t cls = static_cast<uint32_t>(Field(lines[2], "clsid"));
  AppendWatchItemGet(out, StampOf(lines[0]), "w:miss", WatchGetStatus::kNotFound, 0, fd, 0);
  AppendWatchItemGet(out, StampOf(lines[1]), "w:a%b", WatchGetStatus::kNotFound, 0, fd, 0);
  AppendWatchItemStore(out, StampOf(lines[2]), "w:a%b", WatchStoreStatus::kStored,
                       WatchStoreCommand::kSet, 0, cls, fd, 3);
  AppendWatchItemGet(out, StampOf(lines[3]), "w:a%b", WatchGetStatus::kFound, cls, fd, 3);
  std::string want;
  out.CopyTo(&want);
  EXPECT_EQ(lines[0] + lines[1] + lines[2] + lines[3], want);
}

TEST_F(WireReference, ConnectionEventLinesMatchALiveWatcher) {
  Connection watcher(port_);
  ASSERT_TRUE(watcher.ok());
  ASSERT_TRUE(watcher.Send("watch connevents\r\n"));
  ASSERT_EQ(watcher.ReadLine(), "OK\r\n");
  uint16_t client_port;
  {
    Connection client(port_);
    ASSERT_TRUE(client.ok());
    client_port = client.local_port();
    ASSERT_TRUE(client.Send("quit\r\n"));
    bool closed = false;
    client.ReadUntil("\n", &closed, 1000);
  }
  // Other tests' connections may close meanwhile: keep this client's lines.
  std::string opened, closed_line;
  const std::string tag = " rport=" + std::to_string(client_port) + " ";
  for (int i = 0; i < 20 && closed_line.empty(); ++i) {
    const std::string line = watcher.ReadLine();
    if (line.empty()) break;
    if (line.find(tag) == std::string::npos) continue;
    (line.find("type=conn_new") != std::string::npos ? opened : closed_line) = line;
  }
  ASSERT_FALSE(opened.empty());
  ASSERT_FALSE(closed_line.empty());
  base::BlockPool pool;
  base::OutBuffer out(&pool);
  const int fd = static_cast<int>(Field(opened, "cfd"));
  AppendWatchConnNew(out, StampOf(opened), "127.0.0.1", client_port, WatchTransport::kTcp, fd);
  AppendWatchConnClose(out, StampOf(closed_line), "127.0.0.1", client_port, WatchTransport::kTcp,
                       WatchCloseReason::kNormal, fd);
  std::string want;
  out.CopyTo(&want);
  EXPECT_EQ(opened + closed_line, want);
}

TEST_F(WireReference, UdpDatagramsMatchFraming) {
  const std::string value(3000, 'u');
  {
    Connection client(port_);
    ASSERT_TRUE(client.ok());
    ASSERT_TRUE(client.Send("set udp:big 0 0 3000\r\n" + value + "\r\n"));
    bool closed = false;
    ASSERT_EQ(client.ReadUntil("\r\n", &closed), "STORED");
  }
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  char header[kUdpHeaderSize];
  WriteUdpHeader(0x1234, 0, 1, header);
  const std::string request = std::string(header, kUdpHeaderSize) + "get udp:big\r\n";
  ASSERT_EQ(sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&addr),
                   sizeof(addr)),
            static_cast<ssize_t>(request.size()));
  base::BlockPool pool;
  base::OutBuffer out(&pool);
  AppendValueCopy(out, "udp:big", 0, value, {}, false, 0);
  AppendEnd(out);
  std::string reply;
  out.CopyTo(&reply);
  std::vector<std::string> want;
  char scratch[kUdpMaxDatagram];
  FrameUdpResponse(0x1234, reply, scratch, [&](std::string_view d) { want.emplace_back(d); });
  std::vector<std::string> got;
  while (got.size() < want.size()) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) break;
    char buf[2048];
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    got.emplace_back(buf, static_cast<size_t>(n));
  }
  close(fd);
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace ringcache::protocol
