#include "ringcache/base/out_buffer.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include <sys/mman.h>

namespace ringcache::base {

BlockPool::BlockPool(size_t block_size) : block_size_(block_size) {}

BlockPool::~BlockPool() {
  for (const Chunk& c : chunks_) {
    munmap(c.memory, kBlocksPerChunk * block_size_);
    delete[] c.headers;
  }
}

void BlockPool::Grow() {
  const size_t bytes = kBlocksPerChunk * block_size_;
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) std::abort();  // out of address space: nothing sane to do
  Chunk chunk{static_cast<char*>(mem), new OutBlock[kBlocksPerChunk]};
  for (size_t i = kBlocksPerChunk; i-- > 0;) {
    chunk.headers[i].data = chunk.memory + i * block_size_;
    chunk.headers[i].next_free = free_;
    free_ = &chunk.headers[i];
  }
  chunks_.push_back(chunk);
}

OutBuffer::Segment& OutBuffer::PushSegment() {
  if (count_ == ring_.size()) {
    std::vector<Segment> bigger(std::max<size_t>(8, ring_.size() * 2));
    for (size_t i = 0; i < count_; ++i) bigger[i] = At(i);
    ring_.swap(bigger);
    ring_mask_ = ring_.size() - 1;
    head_ = 0;
  }
  ++count_;
  return At(count_ - 1);
}

void OutBuffer::StartBlock() {
  OutBlock* block = pool_->Get();
  Segment& s = PushSegment();
  s = Segment{block->data, 0, block, OutRef{}};
  tail_end_ = block->data;
  tail_room_ = pool_->block_size();
}

void OutBuffer::AppendSlow(std::string_view bytes) {
  while (!bytes.empty()) {
    if (tail_room_ == 0) StartBlock();
    const size_t n = std::min(bytes.size(), tail_room_);
    std::memcpy(tail_end_, bytes.data(), n);
    Extend(n);
    bytes.remove_prefix(n);
  }
}

void OutBuffer::AppendRef(std::string_view bytes, OutRef ref) {
  Segment& s = PushSegment();
  s = Segment{bytes.data(), bytes.size(), nullptr, ref};
  size_ += bytes.size();
  // Later copies must start a new block after the reference.
  tail_end_ = nullptr;
  tail_room_ = 0;
}

int OutBuffer::Gather(iovec* iov, int max_iov, size_t max_bytes) const {
  int n = 0;
  for (size_t i = 0; i < count_ && n < max_iov && max_bytes > 0; ++i) {
    const Segment& s = At(i);
    if (s.len == 0) continue;
    const size_t len = std::min(s.len, max_bytes);
    iov[n].iov_base = const_cast<char*>(s.data);
    iov[n].iov_len = len;
    max_bytes -= len;
    ++n;
  }
  return n;
}

std::string_view OutBuffer::Front() const {
  for (size_t i = 0; i < count_; ++i) {
    const Segment& s = At(i);
    if (s.len != 0) return {s.data, s.len};
  }
  return {};
}

void OutBuffer::PopFront() {
  Segment& s = At(0);
  if (s.block != nullptr) {
    pool_->Put(s.block);
  } else if (s.ref.release != nullptr) {
    s.ref.release(s.ref.ctx);
  }
  head_ = (head_ + 1) & ring_mask_;
  --count_;
  if (count_ == 0) {
    head_ = 0;
    tail_end_ = nullptr;
    tail_room_ = 0;
  }
}

void OutBuffer::Consume(size_t n) {
  size_ -= n;
  while (count_ > 0) {
    Segment& s = At(0);
    if (n < s.len) {
      s.data += n;
      s.len -= n;
      return;
    }
    // A fully sent segment goes back at once, even the tail block: an idle
    // connection holds no block memory.
    n -= s.len;
    PopFront();
    if (n == 0 && (count_ == 0 || At(0).len != 0)) return;
  }
}

void OutBuffer::TruncateTo(size_t size) {
  while (size_ > size && count_ > 0) {
    Segment& s = At(count_ - 1);
    const size_t drop = std::min(s.len, size_ - size);
    s.len -= drop;
    size_ -= drop;
    if (s.block != nullptr && s.len == 0 && count_ > 1) {
      pool_->Put(s.block);
      --count_;
      continue;
    }
    if (s.block == nullptr && s.len == 0) {
      if (s.ref.release != nullptr) s.ref.release(s.ref.ctx);
      --count_;
      continue;
    }
    if (drop == 0) break;
  }
  // The new tail: appends continue in its block's free room, or start anew.
  tail_end_ = nullptr;
  tail_room_ = 0;
  if (count_ > 0) {
    Segment& t = At(count_ - 1);
    if (t.block != nullptr) {
      tail_end_ = const_cast<char*>(t.data) + t.len;
      tail_room_ = pool_->block_size() - static_cast<size_t>(tail_end_ - t.block->data);
    }
  }
}

void OutBuffer::Clear() {
  while (count_ > 0) PopFront();
  size_ = 0;
}

void OutBuffer::CopyTo(std::string* out) const {
  out->reserve(out->size() + size_);
  for (size_t i = 0; i < count_; ++i) {
    const Segment& s = At(i);
    out->append(s.data, s.len);
  }
}

}  // namespace ringcache::base
