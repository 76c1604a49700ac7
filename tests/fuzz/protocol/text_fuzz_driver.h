// Shared driver of the text and meta parser fuzz targets: runs the server's
// OnData loop (parse, consume the line, follow value blocks, skip what an
// error says) over the input fed whole and again in pieces, and aborts when
// an invariant breaks:
//   - a request or an error consumes at least one byte and never more than
//     it was given; "need more" consumes nothing;
//   - every view the parser hands out (keys, tokens, opaque) lies inside the
//     consumed line; a base64 key lies inside the request and is <= 186 bytes;
//   - get keys are non-empty, hold no space, are <= 250 bytes, and iterating
//     them yields keys.count keys starting with keys.first;
//   - the outcomes (rendered to a short text) do not depend on how the input
//     is split, except that a line over 2048 bytes may be refused while it
//     is still incomplete (memcached's rule); then the split run's outcomes
//     before that refusal are a prefix of the whole run's;
//   - composing a reply for a parsed meta request yields one line ending in
//     "\r\n";
//   - Parse, whose fast path takes canonical storage and get lines, and
//     ParseGeneral give the same result and request fields;
//   - the look-ahead's PeekTextRequest reads nothing outside the input and
//     names keys inside it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ringcache/base/out_buffer.h"
#include "ringcache/protocol/meta_composer.h"
#include "ringcache/protocol/text_parser.h"
#include "ringcache/protocol/text_peek.h"
#include "ringcache/protocol/value_block.h"

namespace ringcache::protocol::fuzz {

inline void Check(bool ok) {
  if (!ok) __builtin_trap();
}

inline bool Inside(std::string_view view, std::string_view within) {
  if (view.empty()) return true;
  return view.data() >= within.data() && view.data() + view.size() <= within.data() + within.size();
}

inline void CheckMetaReply(const MetaRequest& m) {
  base::BlockPool pool(4096);
  base::OutBuffer out(&pool);
  MetaItemInfo item;
  item.key = m.key();
  item.key_binary = m.key_binary();
  item.value_bytes = 10;
  item.now = 100;
  AppendMetaGetHit(out, m, item);
  AppendMetaGetMiss(out, m);
  AppendMetaSetReply(out, m, MetaStatus::kNs, 5);
  AppendMetaDeleteReply(out, m, MetaStatus::kNf);
  MetaArithInfo arith;
  arith.value = 12345;
  AppendMetaArithReply(out, m, MetaStatus::kHd, arith);
  std::string s;
  out.CopyTo(&s);
  Check(s.size() >= 2 && s.compare(s.size() - 2, 2, "\r\n") == 0);
}

// Checks one parse outcome against the line it consumed; returns its summary.
inline std::string CheckOutcome(const ParseResult& r, const TextRequest& req,
                                std::string_view data) {
  Check(r.consumed <= data.size());
  std::string s = std::to_string(static_cast<int>(r.status)) + ":" +
                  std::to_string(static_cast<int>(r.error)) + ":" + std::to_string(r.consumed) +
                  ":" + std::to_string(r.swallow) + (r.noreply ? "q" : "");
  if (r.status != ParseStatus::kRequest) return s;
  Check(r.consumed > 0);
  const std::string_view line = data.substr(0, r.consumed);
  s += ":" + std::to_string(static_cast<int>(req.command));
  switch (req.command) {
    case TextCommand::kGet:
    case TextCommand::kGets:
    case TextCommand::kGat:
    case TextCommand::kGats: {
      Check(Inside(req.keys.text, line));
      uint32_t n = 0;
      for (const std::string_view key : req.keys) {
        Check(!key.empty() && key.size() <= kMaxKeyLength);
        Check(key.find(' ') == std::string_view::npos);
        Check(Inside(key, line));
        if (n == 0) Check(key.data() == req.keys.first.data());
        ++n;
        s += "," + std::string(key);
      }
      Check(n == req.keys.count);
      break;
    }
    case TextCommand::kMetaGet:
    case TextCommand::kMetaSet:
    case TextCommand::kMetaDelete:
    case TextCommand::kMetaArithmetic:
    case TextCommand::kMetaDebug: {
      const MetaRequest& m = req.meta;
      if (m.key_binary()) {
        Check(m.key().size() <= kMaxBinaryKeyLength && !m.key().empty());
      } else {
        Check(Inside(m.key(), line) && m.key().size() <= kMaxKeyLength);
      }
      Check(Inside(m.opaque, line) && m.opaque.size() <= kMaxOpaqueTokenLength);
      Check(m.flag_count <= kMaxMetaFlags);
      s += "," + std::string(m.key()) + "," + std::string(m.order, m.flag_count);
      CheckMetaReply(m);
      break;
    }
    case TextCommand::kSet:
    case TextCommand::kAdd:
    case TextCommand::kReplace:
    case TextCommand::kAppend:
    case TextCommand::kPrepend:
    case TextCommand::kCas:
    case TextCommand::kIncr:
    case TextCommand::kDecr:
    case TextCommand::kTouch:
    case TextCommand::kDelete:
      Check(Inside(req.key, line) && !req.key.empty() && req.key.size() <= kMaxKeyLength);
      s += "," + std::string(req.key) + "," + std::to_string(req.value_bytes);
      [[fallthrough]];
    default:
      // Every command but the get family and mn is tokenized, except for
      // the storage lines the fast path takes (which do not tokenize).
      if (req.command != TextCommand::kMetaNoop &&
          (req.command < TextCommand::kSet || req.command > TextCommand::kCas)) {
        for (size_t i = 0; i < req.tokens.count; ++i) Check(Inside(req.tokens.token[i], line));
      }
      break;
  }
  return s;
}

inline bool SameView(std::string_view a, std::string_view b) {
  return a.data() == b.data() && a.size() == b.size();
}

// TextParser::Parse (fast path first) and ParseGeneral agree: the same
// result and the same classic request fields (meta requests and tokens
// come from the general path either way).
inline bool SameOutcome(const ParseResult& a, const TextRequest& x, const ParseResult& b,
                        const TextRequest& y) {
  return a.status == b.status && a.error == b.error && a.noreply == b.noreply &&
         a.swallow == b.swallow && a.consumed == b.consumed && x.command == y.command &&
         x.noreply == y.noreply && SameView(x.key, y.key) && SameView(x.keys.text, y.keys.text) &&
         SameView(x.keys.first, y.keys.first) && x.keys.count == y.keys.count &&
         x.exptime == y.exptime && x.client_flags == y.client_flags &&
         x.value_bytes == y.value_bytes && x.cas == y.cas && x.delta == y.delta &&
         x.deferred_error == y.deferred_error;
}

// The OnData loop over `pieces` consecutive parts of the input.
class Session {
 public:
  void Feed(std::string_view piece) {
    if (closed_) return;
    pending_.append(piece);
    std::string_view data = pending_;
    size_t pos = 0;
    while (pos < data.size() && !closed_) {
      if (in_block_) {
        const ValueBlock::Step step = block_.Next(data.substr(pos));
        Check(step.consumed <= data.size() - pos);
        Check(Inside(step.value, data.substr(pos)));
        pos += step.consumed;
        if (!block_.done()) break;
        in_block_ = false;
        log_.push_back(block_.terminated_ok() ? "ok" : "bad");
        continue;
      }
      const std::string_view rest = data.substr(pos);
      TextParser general = parser_;
      TextRequest general_req = req_;
      const ParseResult g = general.ParseGeneral(rest, &general_req);
      const ParseResult r = parser_.Parse(rest, &req_);
      Check(SameOutcome(r, req_, g, general_req));
      if (r.status == ParseStatus::kNeedMore) {
        Check(r.consumed == 0);
        break;
      }
      log_.push_back(CheckOutcome(r, req_, rest));
      if (r.status == ParseStatus::kClose || r.status == ParseStatus::kCloseWithError) {
        // Only an incomplete line is refused without consuming anything.
        closed_for_length_ = r.consumed == 0;
        Check(!closed_for_length_ || rest.size() > kMaxLineWithoutNewline);
        closed_ = true;
        break;
      }
      pos += r.consumed;
      uint64_t block = 0;
      bool raw = false;
      bool has_block = r.status == ParseStatus::kError && r.swallow != 0;
      if (has_block) {
        block = r.swallow;
        raw = true;
      }
      if (r.status == ParseStatus::kRequest) {
        switch (req_.command) {
          case TextCommand::kSet:
          case TextCommand::kAdd:
          case TextCommand::kReplace:
          case TextCommand::kAppend:
          case TextCommand::kPrepend:
          case TextCommand::kCas:
            has_block = true;
            block = req_.value_bytes;
            break;
          case TextCommand::kMetaSet:
            has_block = true;
            block = req_.meta.value_bytes;
            break;
          default:
            break;
        }
      }
      if (has_block) {
        in_block_ = true;
        block_ = raw ? ValueBlock::Raw(block) : ValueBlock(block);
      }
    }
    pending_.erase(0, closed_ ? pending_.size() : pos);
  }
  const std::vector<std::string>& log() const { return log_; }
  bool closed_for_length() const { return closed_for_length_; }

 private:
  TextParser parser_;
  TextRequest req_;
  std::string pending_;
  std::vector<std::string> log_;
  bool closed_ = false;
  bool closed_for_length_ = false;
  bool in_block_ = false;
  ValueBlock block_;
};

// Feeds `input` whole, then in pieces whose sizes come from `seed`; the two
// logs must agree.
// The look-ahead's PeekTextRequest over the fuzzer's exactly sized input
// (ASan sees any read past it): walked from the start as the server walks a
// buffer, and from each of the first bytes. A peeked key lies inside the
// input, and the next request starts after this one.
inline void CheckPeek(std::string_view input) {
  PeekedRequest r;
  auto check = [&](size_t pos) {
    if (!PeekTextRequest(input, pos, &r)) return false;
    Check(r.next > pos && Inside(r.key, input) && r.key.size() <= kMaxKeyLength);
    return true;
  };
  for (uint64_t pos = 0; pos < input.size() && check(static_cast<size_t>(pos));) pos = r.next;
  for (size_t pos = 0; pos < input.size() && pos < 64; ++pos) check(pos);
}

inline void Run(std::string_view input, uint8_t seed) {
  CheckPeek(input);
  Session whole;
  whole.Feed(input);
  Session split;
  size_t pos = 0;
  size_t step = 1 + seed % 7;
  while (pos < input.size()) {
    const size_t n = std::min(step, input.size() - pos);
    split.Feed(input.substr(pos, n));
    pos += n;
    step = step * 5 % 23 + 1;
  }
  if (split.closed_for_length() && !whole.closed_for_length()) {
    const auto& a = split.log();
    const auto& b = whole.log();
    Check(a.size() - 1 <= b.size() && std::equal(a.begin(), a.end() - 1, b.begin()));
    return;
  }
  Check(whole.log() == split.log());
}

}  // namespace ringcache::protocol::fuzz
