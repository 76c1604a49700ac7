// libFuzzer target of the client-side reply parsers (text, meta, binary).
// The first byte picks the protocol and a split point; the rest is a stream
// of server bytes. Invariants:
//   - a parsed reply spans 1..size bytes and every view it holds (key, value,
//     message, meta flags, opaque) lies inside that span;
//   - kIncomplete's size hint is 0 or more than the bytes given, and the
//     parser never reads past the end of its input (ASan);
//   - the stream parses to the same replies whether it arrives whole or cut
//     in two at the chosen point (the parsers are stateless: a partial reply
//     is parsed again from its start once more bytes are there).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ringcache/protocol/client/reply_parser.h"

namespace {

using ringcache::protocol::client::ParseReply;
using ringcache::protocol::client::ParseResult;
using ringcache::protocol::client::ParseStatus;
using ringcache::protocol::client::Protocol;
using ringcache::protocol::client::Reply;

void Check(bool ok) {
  if (!ok) std::abort();
}

bool Inside(std::string_view view, std::string_view span) {
  return view.empty() ||
         (view.data() >= span.data() && view.data() + view.size() <= span.data() + span.size());
}

// What a reply says, as bytes that do not depend on where it was parsed.
std::string Fingerprint(const Reply& r) {
  std::string f;
  f.push_back(static_cast<char>(r.kind));
  for (std::string_view v : {r.key, r.value, r.message, r.meta_flags, r.opaque}) {
    f.append(std::to_string(v.size())).push_back(':');
    f.append(v);
  }
  for (uint64_t n : {uint64_t{r.flags}, r.cas, r.number, uint64_t{r.binary_opaque},
                     uint64_t{r.binary_status}, uint64_t{r.binary_opcode}}) {
    f.append(std::to_string(n)).push_back(',');
  }
  return f;
}

// Parses every reply of `stream` delivered in chunks ending at `cuts`, and
// returns their fingerprints; `invalid` says whether the parser gave up.
std::vector<std::string> ParseAll(Protocol protocol, std::string_view stream,
                                  std::vector<size_t> cuts, bool* invalid) {
  std::vector<std::string> out;
  cuts.push_back(stream.size());
  std::string buffered;
  size_t delivered = 0;
  *invalid = false;
  for (const size_t end : cuts) {
    buffered.append(stream.substr(delivered, end - delivered));
    delivered = end;
    size_t start = 0;
    while (start < buffered.size()) {
      // A copy exactly as long as the rest, so ASan sees any over-read.
      const std::string rest = buffered.substr(start);
      Reply reply;
      const ParseResult r = ParseReply(protocol, rest, &reply);
      if (r.status == ParseStatus::kInvalid) {
        *invalid = true;
        return out;
      }
      if (r.status == ParseStatus::kIncomplete) {
        Check(r.size == 0 || r.size > rest.size());
        break;
      }
      Check(r.size >= 1 && r.size <= rest.size());
      const std::string_view span(rest.data(), r.size);
      for (std::string_view v :
           {reply.key, reply.value, reply.message, reply.meta_flags, reply.opaque}) {
        Check(Inside(v, span));
      }
      out.push_back(Fingerprint(reply));
      start += r.size;
    }
    buffered.erase(0, start);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static constexpr Protocol kProtocols[] = {Protocol::kText, Protocol::kMeta, Protocol::kBinary};
  const Protocol protocol = kProtocols[data[0] % 3];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  bool whole_invalid;
  const std::vector<std::string> whole = ParseAll(protocol, stream, {}, &whole_invalid);
  const size_t cut = stream.empty() ? 0 : (data[0] / 3) % (stream.size() + 1);
  bool split_invalid;
  const std::vector<std::string> split = ParseAll(protocol, stream, {cut}, &split_invalid);
  Check(whole == split);
  Check(whole_invalid == split_invalid);
  return 0;
}
