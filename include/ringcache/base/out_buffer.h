// Output chain of one connection: the reply bytes produced but not yet sent.
//
// Replies are composed straight into fixed-size blocks taken from a per-worker
// BlockPool (no allocation per reply once the pool is warm), or appended by
// reference: a large value is not copied but pointed at, and an OutRef
// callback releases it (drops the item's reference) once the bytes are sent
// or the connection goes away. The sender gathers the front of the chain into
// an iovec array, sends, and Consume()s what the kernel took.
//
// Invariants:
//   - size() is the exact number of unsent bytes in the chain.
//   - Bytes handed out by Gather() stay valid and unmodified until they are
//     Consume()d: appends only ever write past them, so a send may be in
//     flight while the protocol layer keeps appending replies.
//   - Every OutRef is released exactly once.
//
// Threading: single-threaded; an OutBuffer and its BlockPool belong to one
// worker thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include <sys/uio.h>

#include "ringcache/base/compiler.h"

namespace ringcache::base {

// A block of output memory. `data` points into a chunk owned by the pool.
struct OutBlock {
  char* data;
  OutBlock* next_free;
};

// Free list of equally sized output blocks, carved from larger chunks.
class BlockPool {
 public:
  static constexpr size_t kDefaultBlockSize = 16 * 1024;
  static constexpr size_t kBlocksPerChunk = 64;

  explicit BlockPool(size_t block_size = kDefaultBlockSize);
  ~BlockPool();
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;

  size_t block_size() const { return block_size_; }
  // Blocks handed out and not yet returned.
  size_t in_use() const { return in_use_; }
  // Bytes of block memory the pool holds (in use or free).
  size_t reserved_bytes() const { return chunks_.size() * kBlocksPerChunk * block_size_; }

  RC_ALWAYS_INLINE OutBlock* Get() {
    if (RC_UNLIKELY(free_ == nullptr)) Grow();
    OutBlock* b = free_;
    free_ = b->next_free;
    ++in_use_;
    return b;
  }
  RC_ALWAYS_INLINE void Put(OutBlock* b) {
    b->next_free = free_;
    free_ = b;
    --in_use_;
  }

 private:
  void Grow();

  struct Chunk {
    char* memory;
    OutBlock* headers;
  };
  const size_t block_size_;
  OutBlock* free_ = nullptr;
  size_t in_use_ = 0;
  std::vector<Chunk> chunks_;
};

// Keeps referenced bytes alive until they are sent. `release(ctx)` runs once.
struct OutRef {
  void (*release)(void* ctx) = nullptr;
  void* ctx = nullptr;
};

class OutBuffer {
 public:
  explicit OutBuffer(BlockPool* pool) : pool_(pool) {}
  ~OutBuffer() { Clear(); }
  OutBuffer(const OutBuffer&) = delete;
  OutBuffer& operator=(const OutBuffer&) = delete;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Number of segments (blocks and references) in the chain.
  size_t segments() const { return count_; }

  // Copies `bytes` to the end of the chain, spilling into new blocks.
  RC_ALWAYS_INLINE void Append(std::string_view bytes) {
    if (RC_LIKELY(bytes.size() <= tail_room_)) {
      if (bytes.empty()) return;  // memcpy must not see a null source
      std::memcpy(tail_end_, bytes.data(), bytes.size());
      Extend(bytes.size());
      return;
    }
    AppendSlow(bytes);
  }

  // Returns room for at least `n` contiguous bytes at the end of the chain
  // (n <= the pool's block size). Write into it, then Commit() what was used.
  RC_ALWAYS_INLINE char* Reserve(size_t n) {
    if (RC_UNLIKELY(n > tail_room_)) StartBlock();
    return tail_end_;
  }
  RC_ALWAYS_INLINE void Commit(size_t n) { Extend(n); }

  // Appends `bytes` by reference; `ref` is released when they are consumed
  // or the buffer is cleared. The caller decides when a copy is cheaper.
  void AppendRef(std::string_view bytes, OutRef ref);

  // Fills up to `max_iov` iovecs with the first unsent bytes, at most
  // `max_bytes` in total. Returns the number of iovecs filled.
  int Gather(iovec* iov, int max_iov, size_t max_bytes) const;
  // The first contiguous run of unsent bytes (for a plain send).
  std::string_view Front() const;

  // Drops the first `n` bytes (n <= size()), returning blocks to the pool and
  // releasing references that are fully sent.
  void Consume(size_t n);
  // Drops the bytes appended after the chain held `size` bytes (a reply
  // abandoned half-way). Only bytes not yet handed to the kernel may go:
  // `size` must not be below what a send in flight covers.
  void TruncateTo(size_t size);
  // Drops everything.
  void Clear();

  // Copies the whole chain into `out` (tests and UDP framing).
  void CopyTo(std::string* out) const;

 private:
  struct Segment {
    const char* data;  // first unsent byte
    size_t len;        // unsent bytes
    OutBlock* block;   // non-null for block segments
    OutRef ref;        // for reference segments
  };

  RC_ALWAYS_INLINE void Extend(size_t n) {
    tail_end_ += n;
    tail_room_ -= n;
    size_ += n;
    At(count_ - 1).len += n;
  }
  void AppendSlow(std::string_view bytes);
  void StartBlock();
  Segment& PushSegment();
  void PopFront();
  RC_ALWAYS_INLINE Segment& At(size_t i) { return ring_[(head_ + i) & ring_mask_]; }
  RC_ALWAYS_INLINE const Segment& At(size_t i) const { return ring_[(head_ + i) & ring_mask_]; }

  BlockPool* pool_;
  std::vector<Segment> ring_;  // power-of-two ring of segments
  // ring_.size() - 1 once the ring exists: every append indexes the ring,
  // and size() would divide by sizeof(Segment).
  size_t ring_mask_ = 0;
  size_t head_ = 0;
  size_t count_ = 0;
  size_t size_ = 0;
  // Writable tail of the last segment when it is a block with room left.
  char* tail_end_ = nullptr;
  size_t tail_room_ = 0;
};

}  // namespace ringcache::base
