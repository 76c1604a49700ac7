#include "udp.h"

#include <algorithm>
#include <cstring>
#include <string>

#include <sys/uio.h>

#include "connection.h"
#include "ringcache/protocol/binary.h"
#include "ringcache/protocol/udp_frame.h"
#include "worker_context.h"

namespace ringcache::server {
namespace {

// memcached writes out its pending responses after these commands: every
// get-family command (recognised by the key starts it noted), `mn`, and in
// the binary protocol noop, quit and every error reply.
bool IsMetaNoop(std::string_view line) {
  return line.size() >= 3 && line[0] == 'm' && line[1] == 'n' &&
         (line[2] == ' ' || line[2] == '\r' || line[2] == '\n');
}

bool BinaryFlushes(std::string_view request, std::string_view reply) {
  namespace bin = protocol::binary;
  const uint8_t opcode = request.size() > 1 ? static_cast<uint8_t>(request[1]) : 0;
  if (opcode == static_cast<uint8_t>(bin::Opcode::kQuit) ||
      opcode == static_cast<uint8_t>(bin::Opcode::kNoop)) {
    return true;
  }
  // Response header: status in bytes 6-7.
  return reply.size() >= protocol::binary::kHeaderSize && (reply[6] != 0 || reply[7] != 0);
}

// Clears the worker's key-start list when the datagram is done.
class KeyStartsScope {
 public:
  KeyStartsScope(WorkerContext& worker, std::vector<size_t>* starts) : worker_(worker) {
    worker_.set_udp_key_starts(starts);
  }
  ~KeyStartsScope() { worker_.set_udp_key_starts(nullptr); }
  KeyStartsScope(const KeyStartsScope&) = delete;
  KeyStartsScope& operator=(const KeyStartsScope&) = delete;

 private:
  WorkerContext& worker_;
};

}  // namespace

// The io::Connection a UDP request runs against: replies are captured, and
// closing means nothing for a datagram socket.
class UdpHandler::Capture final : public io::Connection {
 public:
  Capture(base::BlockPool* pool, const io::ConnInfo& info) : out_(pool), info_(info) {}
  const io::ConnInfo& info() const override { return info_; }
  base::OutBuffer& out() override { return out_; }
  // A datagram's reply is bounded by its request; nothing to hold back.
  bool OutputFull() const override { return false; }
  void CloseAfterFlush() override {}
  void CloseNow() override {}
  void Flush() override {}

 private:
  base::OutBuffer out_;
  io::ConnInfo info_;
};

UdpHandler::UdpHandler(WorkerContext& worker) : worker_(worker) {
  io::ConnInfo info;
  info.transport = io::Transport::kUdp;
  capture_ = std::make_unique<Capture>(&pool_, info);
  conn_ = std::make_unique<Connection>(worker, info);
}

UdpHandler::~UdpHandler() = default;

size_t UdpHandler::RequestEnd(std::string_view payload, size_t from) const {
  if (binary_) {
    namespace bin = protocol::binary;
    if (payload.size() - from < bin::kHeaderSize) return payload.size();
    const size_t body = bin::DecodeRequestHeader(payload.data() + from).body_length;
    return body < payload.size() - from - bin::kHeaderSize ? from + bin::kHeaderSize + body
                                                           : payload.size();
  }
  const void* nl = std::memchr(payload.data() + from, '\n', payload.size() - from);
  return nl == nullptr ? payload.size()
                       : static_cast<size_t>(static_cast<const char*>(nl) - payload.data()) + 1;
}

void UdpHandler::OnDatagram(const io::ConnInfo& /*from*/, std::string_view datagram,
                            io::DatagramSender& reply) {
  protocol::UdpRequest request;
  if (!protocol::ParseUdpRequest(datagram, &request)) return;  // memcached drops it silently
  const std::string_view payload = request.payload;
  conn_->RenegotiateProtocol();
  binary_ = SpeaksBinary(worker_.config().protocol, payload[0]);  // as the Connection decides
  KeyStartsScope scope(worker_, &key_starts_);
  protocol::UdpReplyFramer framer(request.request_id, scratch_);
  capture_->out().Clear();
  framed_ = 0;
  commands_ = 0;
  size_t pos = 0;
  size_t end = 0;
  while (pos < payload.size()) {
    if (end <= pos) end = RequestEnd(payload, pos);
    key_starts_.clear();
    const bool was_closing = conn_->state() == ConnState::kClosing;
    const io::DataResult r = conn_->OnData(*capture_, payload.substr(pos, end - pos));
    if (FrameReplies(payload.substr(pos, r.consumed), was_closing, framer, reply)) break;
    pos += r.consumed;
    if (r.consumed == 0) {
      // The request goes on past `end` (a binary packet's header may lie),
      // or it is incomplete: memcached drops what cannot complete too.
      if (end == payload.size()) break;
      end = binary_ ? payload.size() : RequestEnd(payload, end);
    }
  }
  capture_->out().Clear();  // releases referenced items at once
}

bool UdpHandler::FrameReplies(std::string_view request, bool was_closing,
                              protocol::UdpReplyFramer& framer, io::DatagramSender& reply) {
  base::OutBuffer& out = capture_->out();
  if (request.empty() && out.size() == framed_) return false;
  // The batch's earlier replies stay in `out` until memcached would write
  // them out, so "cannot pipeline" checks (watch, metadump) still see them.
  message_.clear();
  iov_.resize(out.segments());
  const int n = out.Gather(iov_.data(), static_cast<int>(iov_.size()), out.size());
  size_t skip = framed_;
  for (int i = 0; i < n; ++i) {
    if (skip >= iov_[i].iov_len) {
      skip -= iov_[i].iov_len;
      continue;
    }
    message_.append(static_cast<const char*>(iov_[i].iov_base) + skip, iov_[i].iov_len - skip);
    skip = 0;
  }
  framed_ = out.size();
  const std::string_view all = message_;
  auto send = [&reply](std::string_view d) { reply.Send(d); };
  bool batch_ends;
  if (key_starts_.empty()) {
    // One command's reply. An empty one is a skipped response in the text
    // protocol (noreply, quiet meta, a value still arriving) and a kept,
    // empty one for a quiet binary command.
    framer.Add(all, binary_ && !request.empty(), send);
    batch_ends = binary_ ? BinaryFlushes(request, all) : IsMetaNoop(request) && all == "MN\r\n";
  } else {
    // A get: one response per key (key_starts_ are offsets in `out`); a key
    // that missed is an empty response.
    const size_t base = framed_ - all.size();
    size_t begin = 0;
    for (size_t i = 0; i <= key_starts_.size(); ++i) {
      size_t stop = all.size();
      if (i < key_starts_.size()) {
        stop = key_starts_[i] < base ? 0 : std::min(key_starts_[i] - base, all.size());
      }
      if (stop < begin) continue;
      framer.Add(all.substr(begin, stop - begin), /*counts_when_empty=*/i > 0, send);
      begin = stop;
    }
    batch_ends = true;
  }
  // memcached also writes out what it has every -R commands: after the
  // (R+1)th command of the datagram, then after every Rth.
  const ConnState state = conn_->state();
  if (!request.empty() && state != ConnState::kNread && state != ConnState::kSwallow) {
    const uint32_t per_event = static_cast<uint32_t>(std::max(worker_.config().reqs_per_event, 1));
    ++commands_;
    if (commands_ > per_event && (commands_ - 1) % per_event == 0) batch_ends = true;
  }
  // A connection that would close (quit, a fatal error) writes out; then
  // memcached drops the rest of the datagram (and, as its UDP connection
  // never closes, the rest of every later datagram after its first
  // write-out: the Connection stays kClosing too).
  if (state == ConnState::kClosing && !was_closing) batch_ends = true;
  if (batch_ends) {
    framer.EndBatch();
    out.Clear();
    framed_ = 0;
  }
  return batch_ends && state == ConnState::kClosing;
}

}  // namespace ringcache::server
