// libFuzzer target: the binary request parser and the response composers.
// Drives the OnData loop (parse, consume, read the value, skip what an error
// says) over the input whole and in pieces, and aborts when:
//   - a verdict consumes less than a header, or more than it was given;
//   - a key or extras view is not inside the consumed bytes, or the key is
//     over 250 bytes, or key + extras + value differs from the body length
//     for a storage command;
//   - the outcomes depend on how the input is split;
//   - a composed response does not parse back to its own header lengths.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ringcache/protocol/binary.h"
#include "ringcache/protocol/binary_composer.h"

namespace {

namespace bin = ringcache::protocol::binary;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

bool Inside(std::string_view view, std::string_view within) {
  return view.empty() || (view.data() >= within.data() &&
                          view.data() + view.size() <= within.data() + within.size());
}

// Composes every response kind for `req` and walks the packets back.
void CheckResponses(const bin::Request& req) {
  ringcache::base::BlockPool pool(4096);
  ringcache::base::OutBuffer out(&pool);
  bin::AppendGetHit(out, req, 1, 3, 9);
  if (req.command != bin::Opcode::kTouch) out.Append("abc");  // touch carries no value
  bin::AppendGetMiss(out, req);
  bin::AppendSuccess(out, req, 5);
  bin::AppendCounter(out, req, 42, 6);
  bin::AppendError(out, req, bin::Status::kKeyExists);
  bin::AppendStat(out, req, "name", "value");
  bin::AppendStatsEnd(out, req);
  std::string s;
  out.CopyTo(&s);
  size_t pos = 0;
  while (pos < s.size()) {
    Check(s.size() - pos >= bin::kHeaderSize);
    Check(static_cast<uint8_t>(s[pos]) == bin::kResponseMagic);
    const bin::ResponseHeader h = bin::DecodeResponseHeader(s.data() + pos);
    Check(h.key_length + h.extras_length <= h.body_length);
    pos += bin::kHeaderSize + h.body_length;
  }
  Check(pos == s.size());
}

class Session {
 public:
  void Feed(std::string_view piece) {
    if (closed_) return;
    pending_.append(piece);
    const std::string_view data = pending_;
    size_t pos = 0;
    while (pos < data.size() && !closed_) {
      if (skip_ != 0) {
        const size_t take = std::min<uint64_t>(skip_, data.size() - pos);
        pos += take;
        skip_ -= take;
        if (skip_ != 0) break;
        log_.push_back("skipped");
        continue;
      }
      const std::string_view rest = data.substr(pos);
      const bin::ParseResult r = bin::ParseRequest(rest, &req_);
      if (r.status == bin::ParseStatus::kNeedMore) {
        Check(r.consumed == 0);
        break;
      }
      if (r.status == bin::ParseStatus::kClose) {
        log_.push_back("close");
        closed_ = true;
        break;
      }
      Check(r.consumed >= bin::kHeaderSize && r.consumed <= rest.size());
      const std::string_view packet = rest.substr(0, r.consumed);
      Check(Inside(req_.key, packet) && Inside(req_.extras, packet));
      pos += r.consumed;
      std::string entry = std::to_string(static_cast<int>(r.status)) + ":" +
                          std::to_string(static_cast<int>(r.error)) + ":" +
                          std::to_string(r.consumed) + ":" + std::to_string(r.swallow);
      if (r.status == bin::ParseStatus::kError) {
        log_.push_back(entry);
        if (r.close) {
          closed_ = true;
          break;
        }
        skip_ = r.swallow;
        continue;
      }
      Check(req_.key.size() <= 250);
      if (req_.value_bytes != 0) {
        Check(req_.key.size() + req_.extras.size() + req_.value_bytes == req_.header.body_length);
      }
      entry += ":" + std::to_string(static_cast<int>(req_.command)) + ":" + std::string(req_.key) +
               ":" + std::to_string(req_.value_bytes);
      log_.push_back(entry);
      CheckResponses(req_);
      skip_ = req_.value_bytes;
    }
    pending_.erase(0, closed_ ? pending_.size() : pos);
  }
  const std::vector<std::string>& log() const { return log_; }

 private:
  bin::Request req_;
  std::string pending_;
  std::vector<std::string> log_;
  uint64_t skip_ = 0;
  bool closed_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  Session whole;
  whole.Feed(input);
  Session split;
  size_t pos = 0;
  size_t step = 1 + data[0] % 29;
  while (pos < input.size()) {
    const size_t n = std::min(step, input.size() - pos);
    split.Feed(input.substr(pos, n));
    pos += n;
    step = step * 7 % 31 + 1;
  }
  Check(whole.log() == split.log());
  return 0;
}
