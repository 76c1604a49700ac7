#include "ringcache/memory/item_heap.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

#include "ringcache/memory/sanitizers.h"

// jemalloc's configuration for the whole process, read when it initialises.
// Slabs of 16 pages (instead of 1-7) for the small classes: each slab carries
// ~136 bytes of metadata, which on a one-page slab of the 1 KB class is 34
// bytes per item, 3 % of a 1000-byte value; on 16 pages it is 4. It is defined
// here, in the object every binary with an item heap links, because jemalloc
// only sees the executable's definition of this symbol.
extern "C" {
const char* malloc_conf = "slab_sizes:1-4096:16";
}

namespace ringcache::memory {

// One node's partition of the region and the extent hooks that carve it.
// `hooks` must stay the first member: jemalloc hands the hook functions the
// extent_hooks_t pointer it was given, and they cast it back to NodeArena.
struct ItemHeap::NodeArena {
  extent_hooks_t hooks;
  char* begin = nullptr;
  char* end = nullptr;
  unsigned arena_index = 0;
  std::mutex mu;
  char* next = nullptr;  // guarded by mu

  static NodeArena* From(extent_hooks_t* h) { return reinterpret_cast<NodeArena*>(h); }

  // jemalloc asks for extents rarely (it retains and reuses them, growing its
  // requests geometrically), so a mutex around the bump pointer is enough.
  static void* Alloc(extent_hooks_t* h, void* new_addr, size_t size, size_t alignment, bool* zero,
                     bool* commit, unsigned /*arena_ind*/) {
    NodeArena* a = From(h);
    std::lock_guard<std::mutex> lock(a->mu);
    char* p;
    if (new_addr != nullptr) {
      // An in-place extension request: only possible right at the bump pointer.
      p = static_cast<char*>(new_addr);
      if (p != a->next) return nullptr;
    } else {
      const uintptr_t align = alignment < 16 ? 16 : alignment;
      p = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(a->next) + align - 1) &
                                  ~(align - 1));
    }
    if (p < a->next || p > a->end || size > static_cast<size_t>(a->end - p)) return nullptr;
    a->next = p + size;
    // Never handed out before, so still the zero pages of the fresh mapping.
    *zero = true;
    *commit = true;
    return p;
  }
  // Returning true opts out: jemalloc keeps the extent as retained memory and
  // reuses it; the region is only given back as a whole.
  static bool Dalloc(extent_hooks_t*, void*, size_t, bool, unsigned) { return true; }
  static void Destroy(extent_hooks_t*, void*, size_t, bool, unsigned) {}
  // The region is always committed (MAP_NORESERVE, read-write); decommit is
  // refused so jemalloc purges instead, which is what returns RSS.
  static bool Commit(extent_hooks_t*, void*, size_t, size_t, size_t, unsigned) { return false; }
  static bool Decommit(extent_hooks_t*, void*, size_t, size_t, size_t, unsigned) { return true; }
  static bool PurgeLazy(extent_hooks_t*, void* addr, size_t, size_t offset, size_t length,
                        unsigned) {
    return madvise(static_cast<char*>(addr) + offset, length, MADV_FREE) != 0;
  }
  static bool PurgeForced(extent_hooks_t*, void* addr, size_t, size_t offset, size_t length,
                          unsigned) {
    return madvise(static_cast<char*>(addr) + offset, length, MADV_DONTNEED) != 0;
  }
  // Extents never leave the region, so any split or merge of them is fine.
  static bool Split(extent_hooks_t*, void*, size_t, size_t, size_t, bool, unsigned) {
    return false;
  }
  static bool Merge(extent_hooks_t*, void*, size_t, void*, size_t, bool, unsigned) { return false; }
};

namespace {

// mbind(2) without libnuma: prefer `node` for pages of [addr, addr+len).
bool BindToNode(void* addr, size_t len, int node) {
  constexpr int kMpolPreferred = 1;
  constexpr size_t kBits = 8 * sizeof(unsigned long);
  if (node < 0 || node >= 1024) return false;
  unsigned long mask[1024 / kBits] = {};
  mask[node / kBits] |= 1UL << (node % kBits);
  return syscall(SYS_mbind, addr, len, kMpolPreferred, mask, 1024 + 1, 0) == 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ItemHeap>> ItemHeap::Create(const ItemHeapOptions& options) {
  if (options.node_ids.empty()) return absl::InvalidArgumentError("item heap needs a node");
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t nodes = options.node_ids.size();
  if (options.region_bytes > kMaxRegionBytes || options.region_bytes < nodes * (size_t{4} << 20)) {
    return absl::InvalidArgumentError(
        absl::StrCat("item region of ", options.region_bytes, " bytes out of range"));
  }
  std::unique_ptr<ItemHeap> heap(new ItemHeap());
  // Partitions are page multiples so each can be bound on its own.
  heap->partition_bytes_ = options.region_bytes / nodes / page * page;
  heap->region_bytes_ = heap->partition_bytes_ * nodes;
  void* mem = mmap(nullptr, heap->region_bytes_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) {
    char err[128];
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot reserve ", heap->region_bytes_,
                     " bytes of address space: ", strerror_r(errno, err, sizeof(err))));
  }
  heap->base_ = static_cast<char*>(mem);
  // Advice only: failure (THP compiled out) changes nothing but speed.
  if (options.huge_pages) madvise(mem, heap->region_bytes_, MADV_HUGEPAGE);

  for (size_t i = 0; i < nodes; ++i) {
    auto a = std::make_unique<NodeArena>();
    a->hooks = extent_hooks_t{&NodeArena::Alloc,       &NodeArena::Dalloc,   &NodeArena::Destroy,
                              &NodeArena::Commit,      &NodeArena::Decommit, &NodeArena::PurgeLazy,
                              &NodeArena::PurgeForced, &NodeArena::Split,    &NodeArena::Merge};
    a->begin = heap->base_ + i * heap->partition_bytes_;
    a->end = a->begin + heap->partition_bytes_;
    // Skipping the first page keeps reference 0 free to mean "none".
    a->next = i == 0 ? a->begin + page : a->begin;
    const int kernel_node = options.node_ids[i];
    if (kernel_node >= 0 && !BindToNode(a->begin, heap->partition_bytes_, kernel_node)) {
      ++heap->bind_failures_;
    }
    extent_hooks_t* hooks = &a->hooks;
    size_t len = sizeof(a->arena_index);
    // mallctl takes a pointer to the new value, here itself a pointer.
    // NOLINTNEXTLINE(bugprone-sizeof-expression)
    if (mallctl("arenas.create", &a->arena_index, &len, &hooks, sizeof(hooks)) != 0) {
      return absl::InternalError("jemalloc arenas.create failed");
    }
    heap->nodes_.push_back(std::move(a));
  }
  return heap;
}

ItemHeap::~ItemHeap() {
  for (auto& a : nodes_) {
    char name[64];
    std::snprintf(name, sizeof(name), "arena.%u.destroy", a->arena_index);
    mallctl(name, nullptr, nullptr, nullptr, 0);
  }
#ifdef RC_ASAN
  // Freed blocks were poisoned; clear that before the addresses can be mapped
  // again by someone else. Only the carved part can carry poison.
  for (auto& a : nodes_) ASAN_UNPOISON_MEMORY_REGION(a->begin, a->next - a->begin);
#endif
  nodes_.clear();
  if (base_ != nullptr) munmap(base_, region_bytes_);
}

unsigned ItemHeap::arena_index(int node) const { return nodes_[node]->arena_index; }

size_t ItemHeap::carved_bytes() const {
  size_t total = 0;
  for (const auto& a : nodes_) {
    std::lock_guard<std::mutex> lock(a->mu);
    total += static_cast<size_t>(a->next - a->begin);
  }
  return total;
}

}  // namespace ringcache::memory
