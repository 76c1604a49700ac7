// One client connection's state: its socket, its output (two buffers: one
// being sent, one being composed into), its input buffer, and the requests
// it has outstanding, oldest first.
//
// Requests are composed straight into the compose buffer (no allocation per
// request). At most one send is in flight: when it finishes, the buffers
// swap and whatever was composed meanwhile goes out in one send. Replies are
// received into one buffer; a partial reply at its end is moved to the front
// before the next receive, and the buffer grows only when a single reply is
// larger than it.
//
// The open loop keeps arrivals that found the connection's pipeline full in
// a backlog of intended send times; they go out, oldest first, as replies
// free slots.
//
// Threading: owned by one ClientThread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "ringcache/base/compiler.h"
#include "stats.h"

namespace ringcache::ringload {

// A request awaiting its reply.
struct Pending {
  int64_t start_ns;  // closed loop: when composed; open loop: intended send time
  uint64_t key;      // single-key requests: the key's index (for --verify)
  OpKind op;
  bool counter;   // the key is in the counter space
  uint32_t keys;  // keys named (batch gets)
};

// A FIFO of fixed power-of-two capacity.
template <typename T>
class Fifo {
 public:
  explicit Fifo(size_t min_capacity) {
    size_t cap = 1;
    while (cap < min_capacity) cap <<= 1;
    slots_.resize(cap);
  }
  size_t size() const { return tail_ - head_; }
  bool empty() const { return tail_ == head_; }
  bool full() const { return size() == slots_.size(); }
  size_t capacity() const { return slots_.size(); }
  RC_ALWAYS_INLINE void Push(const T& v) { slots_[tail_++ & (slots_.size() - 1)] = v; }
  RC_ALWAYS_INLINE T& Front() { return slots_[head_ & (slots_.size() - 1)]; }
  RC_ALWAYS_INLINE void Pop() { ++head_; }
  void Clear() { head_ = tail_ = 0; }
  // Empties the FIFO and sizes it for `min_capacity` (a new phase with its
  // own depth: a small ring keeps the slots in use close together in cache).
  void Reset(size_t min_capacity) {
    size_t cap = 1;
    while (cap < min_capacity) cap <<= 1;
    slots_.assign(cap, T{});
    head_ = tail_ = 0;
  }
  // Doubles the capacity keeping the contents (rare: the open loop's backlog).
  void Grow() {
    std::vector<T> bigger(slots_.size() * 2);
    for (size_t i = 0; i < size(); ++i) bigger[i] = slots_[(head_ + i) & (slots_.size() - 1)];
    tail_ = size();
    head_ = 0;
    slots_.swap(bigger);
  }

 private:
  std::vector<T> slots_;
  uint64_t head_ = 0;
  uint64_t tail_ = 0;
};

class Connection {
 public:
  Connection(int fd, uint32_t server, size_t out_capacity, size_t in_capacity, size_t max_pending)
      : fd_(fd),
        server_(server),
        out_{std::vector<char>(out_capacity), std::vector<char>(out_capacity)},
        in_(in_capacity),
        pending_(max_pending),
        backlog_(64) {}

  int fd() const { return fd_; }
  uint32_t server() const { return server_; }

  // --- output --------------------------------------------------------------
  // Where the next request is composed, and how much room is left there.
  RC_ALWAYS_INLINE char* out_tail() { return out_[compose_].data() + out_len_[compose_]; }
  RC_ALWAYS_INLINE size_t out_room() const { return out_[compose_].size() - out_len_[compose_]; }
  RC_ALWAYS_INLINE void Commit(char* end) { out_len_[compose_] = end - out_[compose_].data(); }
  bool has_unsent() const { return out_len_[compose_] != 0; }

  bool send_in_flight() const { return send_in_flight_; }
  // Starts sending what was composed (no send may be in flight).
  std::string_view BeginSend() {
    const int sending = compose_;
    compose_ ^= 1;
    sent_ = 0;
    send_in_flight_ = true;
    return {out_[sending].data(), out_len_[sending]};
  }
  // Records `n` more bytes sent; returns what is left of the send (empty
  // once done, and the buffer is then free for composing again).
  std::string_view SendProgress(size_t n) {
    const int sending = compose_ ^ 1;
    sent_ += n;
    if (sent_ == out_len_[sending]) {
      out_len_[sending] = 0;
      send_in_flight_ = false;
      return {};
    }
    return {out_[sending].data() + sent_, out_len_[sending] - sent_};
  }

  // --- input ---------------------------------------------------------------
  // Unparsed bytes are [in_head_, in_end_) of in_; receives append at in_end_.
  char* in_tail() { return in_.data() + in_end_; }
  size_t in_room() const { return in_.size() - in_end_; }
  void Received(size_t n) { in_end_ += n; }
  std::string_view input() const { return {in_.data() + in_head_, in_end_ - in_head_}; }
  // Drops the first n bytes of input (parsed replies). The rest moves to the
  // front only when the room behind it runs short, not after every receive.
  void ConsumeInput(size_t n) {
    in_head_ += n;
    if (in_head_ == in_end_) {
      in_head_ = in_end_ = 0;
    } else if (in_.size() - in_end_ < in_.size() / 4) {
      std::memmove(in_.data(), in_.data() + in_head_, in_end_ - in_head_);
      in_end_ -= in_head_;
      in_head_ = 0;
    }
  }
  // Makes room for `total` bytes of unparsed input (one large reply).
  void EnsureInputCapacity(size_t total) {
    if (in_.size() - in_head_ >= total) return;
    std::memmove(in_.data(), in_.data() + in_head_, in_end_ - in_head_);
    in_end_ -= in_head_;
    in_head_ = 0;
    if (in_.size() < total) in_.resize(std::max(total, in_.size() * 2));
  }
  bool recv_in_flight = false;
  // Parse again only once this many bytes are buffered (the parser's hint).
  size_t need_bytes = 0;

  // --- requests ------------------------------------------------------------
  Fifo<Pending>& pending() { return pending_; }
  Fifo<int64_t>& backlog() { return backlog_; }
  // Hits and error replies seen so far for the front request (a multi-key
  // get is answered by several replies).
  uint32_t front_hits = 0;
  uint32_t front_errors = 0;

  bool dead = false;
  bool queued_for_refill = false;
  // When the connection last received bytes, or last went from nothing
  // outstanding to something: the reference for --timeout.
  int64_t last_progress_ns = 0;

 private:
  int fd_;
  uint32_t server_;
  std::vector<char> out_[2];
  size_t out_len_[2] = {0, 0};
  int compose_ = 0;
  size_t sent_ = 0;
  bool send_in_flight_ = false;
  std::vector<char> in_;
  size_t in_head_ = 0;
  size_t in_end_ = 0;
  Fifo<Pending> pending_;
  Fifo<int64_t> backlog_;
};

}  // namespace ringcache::ringload
