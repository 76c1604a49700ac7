#include "connection.h"

#include <algorithm>
#include <cstring>

#include "ringcache/protocol/ascii_auth.h"
#include "ringcache/protocol/binary_composer.h"
#include "ringcache/protocol/errors.h"
#include "ringcache/protocol/meta_composer.h"
#include "ringcache/protocol/text_composer.h"
#include "ringcache/protocol/text_peek.h"

namespace ringcache::server {

using protocol::ParseResult;
using protocol::ParseStatus;
using protocol::TextCommand;

const char* ConnStateName(ConnState state) {
  switch (state) {
    case ConnState::kParseCmd:
      return "conn_parse_cmd";
    case ConnState::kNread:
      return "conn_nread";
    case ConnState::kSwallow:
      return "conn_swallow";
    case ConnState::kClosing:
      return "conn_closing";
  }
  return "conn_parse_cmd";
}

Connection::Connection(WorkerContext& worker, const io::ConnInfo& info)
    : worker_(worker), info_(info), authenticated_(worker.server().auth == nullptr) {
  last_cmd_.store(worker.now(), std::memory_order_relaxed);
  worker_.AddConnection(this);
  LogConnection(/*open=*/true);
}

Connection::~Connection() { worker_.RemoveConnection(this); }

void Connection::OnClose(io::Connection& /*conn*/) {
  SetState(ConnState::kClosing);
  if (watcher_) worker_.server().watch.Remove(watcher_);
  LogConnection(/*open=*/false);
  item_ = storage::NewItem();  // an unfinished value block's item goes back now
}

void Connection::BeginSwallow(uint64_t bytes) {
  if (bytes == 0) return;
  swallow_left_ = bytes;
  phase_ = Phase::kSwallow;
  SetState(ConnState::kSwallow);
}

bool SpeaksBinary(BindingProtocol protocol, char first_byte) {
  switch (protocol) {
    case BindingProtocol::kNegotiating:
      return protocol::binary::IsBinaryStart(first_byte);
    case BindingProtocol::kAscii:
      return false;
    case BindingProtocol::kBinary:
      return true;
  }
  return false;
}

io::DataResult Connection::OnData(io::Connection& conn, std::string_view data) {
  if (RC_UNLIKELY(wire_ == Wire::kUndecided)) {
    if (data.empty()) return {0, false};
    wire_ = SpeaksBinary(worker_.config().protocol, data[0]) ? Wire::kBinary : Wire::kText;
  }
  // A watch connection only listens; what it sends is ignored, as in memcached.
  if (RC_UNLIKELY(watcher_ != nullptr)) return {data.size(), false};
  // During a metadump further commands wait (the engine keeps them).
  if (RC_UNLIKELY(metadump_ != nullptr)) return {0, false};
  size_t pos = 0;
  int budget = worker_.config().reqs_per_event;
  responses_left_ = worker_.response_slots();
  // Lines planned by OnDataSoon this turn need no second look; serving
  // them moves the plan's loads along.
  size_t prefetched_until = 0;
  int plan_key = -1;
  int plan_end = -1;
  // (The same buffer may come back in a later turn, whose plan is another.)
  if (data.data() == soon_data_ && soon_turn_ == worker_.turn()) {
    prefetched_until = soon_end_;
    plan_key = soon_key_;
    plan_end = soon_key_ + soon_count_;
  }
  soon_data_ = nullptr;
  while (pos < data.size()) {
    switch (phase_) {
      case Phase::kValue:
        pos += ContinueValue(conn, data.substr(pos));
        continue;
      case Phase::kSwallow: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(swallow_left_, data.size() - pos));
        pos += n;
        swallow_left_ -= n;
        if (swallow_left_ == 0) {
          phase_ = Phase::kCommand;
          SetState(ConnState::kParseCmd);
        }
        continue;
      }
      case Phase::kCommand:
        break;
    }
    // memcached's -R: after this many commands in one event, let the other
    // connections of the turn run first.
    if (budget-- <= 0) return {pos, true};
    // A client that does not read its replies stops being served until it
    // does; the engine offers the rest again once the output drained.
    if (conn.OutputFull()) return {pos, false};
    // Pipelined GETs: start the memory loads of the next lines together.
    const protocol::internal::CanonicalLine* planned = nullptr;
    if (wire_ == Wire::kText) {
      if (pos < prefetched_until) {
        worker_.PlanServe(plan_key);
        // The plan's next key is this request's when its line starts here
        // (requests that name no key have no entry).
        if (plan_key < plan_end) {
          const PlannedLine& next = *worker_.soon_lines(plan_key);
          if (next.begin == pos) {
            ++plan_key;
            if (next.line.consumed != 0) planned = &next.line;
          }
        }
      } else {
        prefetched_until = PrefetchAhead(data, pos);
      }
    }
    const Step step = wire_ == Wire::kBinary      ? StepBinary(conn, data, &pos)
                      : RC_LIKELY(authenticated_) ? StepText(conn, data, &pos, planned)
                                                  : StepAuth(conn, data, &pos);
    if (step == Step::kNeedMore) return {pos, false};
    if (step == Step::kStop) return {data.size(), false};
    // A binary value of zero bytes is complete before any byte arrives.
    if (phase_ == Phase::kValue && block_.remaining() == 0) FinishValue(conn);
    if (RC_UNLIKELY(metadump_ != nullptr)) return {pos, false};
  }
  return {pos, false};
}

namespace {

// Keyed requests looked ahead at once: enough that a batch's cache misses
// overlap, few enough that the prefetched lines are still cached when
// executed. Requests that name no key are stepped over, up to twice as many
// requests in all.
constexpr int kPrefetchKeys = 16;
constexpr int kPrefetchRequests = 2 * kPrefetchKeys;

}  // namespace

int Connection::HintBuckets(std::string_view data, size_t pos, bool lone_too, bool prefetch,
                            uint64_t* hashes, PlannedLine* lines, size_t* end) {
  storage::StoreThread& store = worker_.store();
  size_t scan = pos;
  int n = 0;
  for (int i = 0; i < kPrefetchRequests && n < kPrefetchKeys && scan < data.size(); ++i) {
    if (lines != nullptr) {
      // Parse what is canonical now, and keep it for the serving.
      PlannedLine& planned = lines[n];
      if (protocol::internal::ParseCanonical(data.substr(scan), &planned.line)) {
        const protocol::internal::CanonicalLine& line = planned.line;
        uint64_t next = scan + line.consumed;
        if (line.command != protocol::TextCommand::kGet &&
            line.command != protocol::TextCommand::kGets) {
          next += uint64_t{line.value_bytes} + 2;  // the value block
        }
        if (!lone_too && i == 0 && next >= data.size()) {
          scan = data.size();
          break;
        }
        planned.begin = static_cast<uint32_t>(scan);
        const std::string_view key = data.substr(scan + line.key_offset, line.key_len);
        hashes[n++] = prefetch ? store.PrefetchBucket(key) : store.KeyHash(key);
        scan = next < data.size() ? static_cast<size_t>(next) : data.size();
        continue;
      }
    }
    protocol::PeekedRequest ahead;
    if (!protocol::PeekTextRequest(data, scan, &ahead)) break;
    // A lone request gains nothing from a hint it would wait on at once.
    if (!lone_too && i == 0 && ahead.next >= data.size()) {
      scan = data.size();
      break;
    }
    if (!ahead.key.empty()) {
      if (lines != nullptr) lines[n] = {static_cast<uint32_t>(scan), {}};
      hashes[n++] = prefetch ? store.PrefetchBucket(ahead.key) : store.KeyHash(ahead.key);
    }
    // Past the data: a value block still arriving, nothing more to see.
    scan = ahead.next < data.size() ? static_cast<size_t>(ahead.next) : data.size();
  }
  *end = scan;
  return n;
}

size_t Connection::PrefetchAhead(std::string_view data, size_t pos) {
  uint64_t hashes[kPrefetchKeys];
  size_t end;
  const int n =
      HintBuckets(data, pos, /*lone_too=*/false, /*prefetch=*/true, hashes, nullptr, &end);
  worker_.store().PrefetchItems(hashes, n);
  return end;
}

void Connection::OnDataSoon(std::string_view data) {
  // Bytes carried from an earlier turn or a value block in progress may come
  // first; then the first "line" hints nothing useful, which costs little.
  if (wire_ != Wire::kText || !authenticated_) return;
  uint64_t* batch = worker_.soon_batch(kPrefetchKeys);
  if (batch == nullptr) return;
  PlannedLine* lines = worker_.soon_lines(worker_.soon_next());
  const int n =
      HintBuckets(data, 0, /*lone_too=*/true, /*prefetch=*/false, batch, lines, &soon_end_);
  soon_data_ = data.data();
  soon_key_ = worker_.soon_added(n);
  soon_count_ = n;
  soon_turn_ = worker_.turn();
}

RC_ALWAYS_INLINE Connection::Step Connection::StepText(
    io::Connection& conn, std::string_view data, size_t* pos,
    const protocol::internal::CanonicalLine* planned) {
  const ParseResult r = planned != nullptr
                            ? parser_.TakeCanonical(*planned, data.data() + *pos, &req_)
                            : parser_.Parse(data.substr(*pos), &req_);
  switch (r.status) {
    case ParseStatus::kNeedMore:
      return Step::kNeedMore;
    case ParseStatus::kRequest:
      *pos += r.consumed;
      last_cmd_.store(now(), std::memory_order_relaxed);
      if (!TakeResponse()) {
        // memcached closes a connection it cannot give a response object.
        SetState(ConnState::kClosing);
        conn.CloseNow();
        return Step::kStop;
      }
      Dispatch(conn, req_);
      return state() == ConnState::kClosing ? Step::kStop : Step::kContinue;
    case ParseStatus::kError:
      *pos += r.consumed;
      if (!r.noreply) protocol::AppendError(conn.out(), r.error);
      if (r.swallow != 0) BeginSwallow(r.swallow);
      return Step::kContinue;
    case ParseStatus::kClose:
      // memcached closes at once here, dropping replies not yet sent.
      close_reason_ = protocol::WatchCloseReason::kError;
      SetState(ConnState::kClosing);
      conn.CloseNow();
      return Step::kStop;
    case ParseStatus::kCloseWithError:
      protocol::AppendError(conn.out(), r.error);
      SetState(ConnState::kClosing);
      conn.CloseAfterFlush();
      return Step::kStop;
  }
  return Step::kStop;
}

Connection::Step Connection::StepAuth(io::Connection& conn, std::string_view data, size_t* pos) {
  protocol::AsciiAuth auth;
  const ParseResult r = protocol::ParseAsciiAuth(data.substr(*pos), &auth);
  switch (r.status) {
    case ParseStatus::kNeedMore:
      return Step::kNeedMore;
    case ParseStatus::kRequest: {
      *pos += r.consumed;
      ThreadStats& stats = worker_.stats();
      stats.auth_cmds.Add();
      if (worker_.server().auth->Check(auth.user, auth.password)) {
        authenticated_ = true;
        protocol::AppendReply(conn.out(), protocol::TextReply::kStored);
      } else {
        stats.auth_errors.Add();
        protocol::AppendError(conn.out(), protocol::ProtocolError::kAuthFailure);
      }
      return Step::kContinue;
    }
    case ParseStatus::kError:
      *pos += r.consumed;
      protocol::AppendError(conn.out(), r.error);
      return Step::kContinue;
    case ParseStatus::kClose:
    case ParseStatus::kCloseWithError:
      close_reason_ = protocol::WatchCloseReason::kError;
      SetState(ConnState::kClosing);
      conn.CloseNow();
      return Step::kStop;
  }
  return Step::kStop;
}

Connection::Step Connection::StepBinary(io::Connection& conn, std::string_view data, size_t* pos) {
  namespace bin = protocol::binary;
  const bin::ParseResult r = bin::ParseRequest(data.substr(*pos), &binary_req_);
  switch (r.status) {
    case bin::ParseStatus::kNeedMore:
      return Step::kNeedMore;
    case bin::ParseStatus::kRequest:
      *pos += r.consumed;
      last_cmd_.store(now(), std::memory_order_relaxed);
      if (!TakeResponse()) {
        SetState(ConnState::kClosing);
        conn.CloseNow();
        return Step::kStop;
      }
      DispatchBinary(conn, binary_req_);
      return state() == ConnState::kClosing ? Step::kStop : Step::kContinue;
    case bin::ParseStatus::kError:
      *pos += r.consumed;
      bin::AppendError(conn.out(), binary_req_.header, r.error);
      if (r.close) {
        SetState(ConnState::kClosing);
        conn.CloseAfterFlush();
        return Step::kStop;
      }
      if (r.swallow != 0) BeginSwallow(r.swallow);
      return Step::kContinue;
    case bin::ParseStatus::kClose:
      SetState(ConnState::kClosing);
      conn.CloseNow();
      return Step::kStop;
  }
  return Step::kStop;
}

RC_ALWAYS_INLINE size_t Connection::ContinueValue(io::Connection& conn, std::string_view data) {
  const protocol::ValueBlock::Step step = block_.Next(data);
  std::string_view v = step.value;
  if (!v.empty() && item_) {
    // The value goes straight into the new item: its first part, then the
    // tail of an item stored in two pieces.
    const storage::NewItem::Writable w = item_.value();
    if (filled_ < w.first_len) {
      const size_t n = std::min(v.size(), w.first_len - filled_);
      std::memcpy(w.first + filled_, v.data(), n);
      v.remove_prefix(n);
      filled_ += n;
    }
    if (!v.empty()) {
      std::memcpy(w.second + (filled_ - w.first_len), v.data(), v.size());
      filled_ += v.size();
    }
  }
  if (block_.done()) FinishValue(conn);
  return step.consumed;
}

RC_ALWAYS_INLINE void Connection::FinishValue(io::Connection& conn) {
  phase_ = Phase::kCommand;
  SetState(ConnState::kParseCmd);
  base::OutBuffer& out = conn.out();
  if (pending_.binary) {
    FinishBinaryStore(out);
    return;
  }
  if (pending_.meta) {
    FinishMetaSet(out, block_.terminated_ok());
    return;
  }
  if (!block_.terminated_ok()) {
    item_ = storage::NewItem();
    if (!pending_.noreply) protocol::AppendError(out, protocol::ProtocolError::kBadDataChunk);
    return;
  }
  FinishStore(out);
}

RC_ALWAYS_INLINE void Connection::Dispatch(io::Connection& conn, const protocol::TextRequest& req) {
  base::OutBuffer& out = conn.out();
  switch (req.command) {
    case TextCommand::kGet:
      Get(out, req, /*with_cas=*/false, /*touch=*/false);
      return;
    case TextCommand::kGets:
      Get(out, req, /*with_cas=*/true, /*touch=*/false);
      return;
    case TextCommand::kGat:
      Get(out, req, /*with_cas=*/false, /*touch=*/true);
      return;
    case TextCommand::kGats:
      Get(out, req, /*with_cas=*/true, /*touch=*/true);
      return;
    case TextCommand::kSet:
      StartStore(out, req, storage::StoreMode::kSet);
      return;
    case TextCommand::kAdd:
      StartStore(out, req, storage::StoreMode::kAdd);
      return;
    case TextCommand::kReplace:
      StartStore(out, req, storage::StoreMode::kReplace);
      return;
    case TextCommand::kAppend:
      StartStore(out, req, storage::StoreMode::kAppend);
      return;
    case TextCommand::kPrepend:
      StartStore(out, req, storage::StoreMode::kPrepend);
      return;
    case TextCommand::kCas:
      StartStore(out, req, storage::StoreMode::kCas);
      return;
    case TextCommand::kIncr:
      Arithmetic(out, req, /*incr=*/true);
      return;
    case TextCommand::kDecr:
      Arithmetic(out, req, /*incr=*/false);
      return;
    case TextCommand::kDelete:
      Delete(out, req);
      return;
    case TextCommand::kTouch:
      Touch(out, req);
      return;
    case TextCommand::kMetaGet:
      MetaGet(out, req.meta);
      return;
    case TextCommand::kMetaSet:
      MetaSet(out, req.meta);
      return;
    case TextCommand::kMetaDelete:
      MetaDelete(out, req.meta);
      return;
    case TextCommand::kMetaArithmetic:
      MetaArithmetic(out, req.meta);
      return;
    case TextCommand::kMetaNoop:
      protocol::AppendMetaNoop(out);
      return;
    case TextCommand::kMetaDebug:
      MetaDebug(out, req.meta);
      return;
    default:
      Admin(conn, req);
      return;
  }
}

}  // namespace ringcache::server
