// Store: the public face of StoreImpl, and the small value types of store.h
// (ItemPin, NewItem, WalkCursor).
#include "ringcache/storage/store.h"

#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

#include "item_plan.h"
#include "maintainer.h"
#include "ringcache/memory/heap_cache.h"
#include "ringcache/memory/item_heap.h"
#include "ringcache/memory/numa.h"
#include "store_impl.h"
#include "stripe.h"
#include "thread_state.h"

namespace ringcache::storage {

// --- ItemPin ---

ItemPin& ItemPin::operator=(ItemPin&& other) noexcept {
  if (this != &other) {
    Release();
    item_ = other.item_;
    other.item_ = nullptr;
  }
  return *this;
}

void ItemPin::Release() {
  if (item_ == nullptr) return;
  Item* item = item_;
  item_ = nullptr;
  const uint32_t old = item->pins().fetch_sub(1, std::memory_order_acq_rel);
  if (old != (kPinReclaimPending | 1)) return;
  // The grace period ended while pinned: the last unpin frees the item. This
  // may be any thread, so no thread's tcache is involved.
  char* tail = item->tail();
  const size_t tail_len = item->tail_len();
  memory::HeapCache::FreeUncached(item, item->head_bytes());
  if (tail != nullptr) memory::HeapCache::FreeUncached(tail, tail_len);
}

void ItemPin::ReleaseItem(void* item) { ItemPin(static_cast<Item*>(item)).Release(); }

base::OutRef ItemPin::ToOutRef() && {
  base::OutRef ref{&ItemPin::ReleaseItem, item_};
  item_ = nullptr;
  return ref;
}

// --- WalkCursor ---

WalkCursor::~WalkCursor() { Leave(); }

WalkCursor::WalkCursor(WalkCursor&& other) noexcept
    : store_(other.store_),
      stripe_(other.stripe_),
      bucket_(other.bucket_),
      in_stripe_(other.in_stripe_),
      done_(other.done_) {
  other.in_stripe_ = false;
}

WalkCursor& WalkCursor::operator=(WalkCursor&& other) noexcept {
  if (this != &other) {
    Leave();
    store_ = other.store_;
    stripe_ = other.stripe_;
    bucket_ = other.bucket_;
    in_stripe_ = other.in_stripe_;
    done_ = other.done_;
    other.in_stripe_ = false;
  }
  return *this;
}

void WalkCursor::Leave() {
  if (!in_stripe_ || store_ == nullptr) return;
  Stripe& s = store_->impl()->stripe(static_cast<int>(stripe_));
  std::lock_guard<std::mutex> lock(s.mu());
  s.index().Unfreeze();
  in_stripe_ = false;
}

// --- Store ---

absl::StatusOr<std::unique_ptr<Store>> Store::Create(const StoreConfig& config) {
  absl::StatusOr<std::unique_ptr<StoreImpl>> impl = StoreImpl::Create(config);
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<Store>(new Store(std::move(*impl)));
}

Store::Store(std::unique_ptr<StoreImpl> impl) : impl_(std::move(impl)) {}

Store::~Store() { StopBackground(); }

absl::StatusOr<std::unique_ptr<StoreThread>> Store::RegisterThread(int numa_node) {
  if (numa_node < 0) numa_node = impl_->topology().NodeIndexOfCpu(memory::CurrentCpu());
  if (numa_node >= impl_->heap()->nodes()) {
    return absl::InvalidArgumentError(absl::StrCat("no NUMA node ", numa_node));
  }
  absl::StatusOr<std::unique_ptr<memory::QsbrThread>> q = impl_->qsbr().Register();
  if (!q.ok()) return q.status();
  auto state = std::make_unique<StoreThreadImpl>(impl_.get(), numa_node, std::move(*q));
  impl_->AddThread(state.get());
  return std::unique_ptr<StoreThread>(new StoreThread(this, std::move(state)));
}

void Store::FlushAll(base::RelTime when, base::RelTime now) { impl_->Flush(when, now); }

absl::Status Store::SetMemoryLimit(size_t bytes) {
  if (bytes == 0 || bytes > impl_->config().region_bytes / 2) {
    return absl::OutOfRangeError(absl::StrCat("memory limit ", bytes, " out of range"));
  }
  impl_->budget().SetLimit(bytes);
  return absl::OkStatus();
}

size_t Store::memory_limit() const { return impl_->budget().limit(); }

void Store::SetLruTuning(const LruTuning& tuning) { impl_->lru().Set(tuning); }
LruTuning Store::lru_tuning() const { return impl_->lru().Get(); }

absl::Status Store::StartBackground(std::function<base::RelTime()> clock) {
  if (impl_->maintainer() != nullptr) return absl::FailedPreconditionError("already running");
  auto m = std::make_unique<Maintainer>(impl_.get(), std::move(clock));
  if (absl::Status s = m->Start(); !s.ok()) return s;
  impl_->set_maintainer(std::move(m));
  return absl::OkStatus();
}

void Store::StopBackground() { impl_->set_maintainer(nullptr); }

void Store::SetCrawlerEnabled(bool enabled) { impl_->set_crawler_enabled(enabled); }
void Store::SetEvictionListener(EvictionListener* listener) {
  impl_->set_eviction_listener(listener);
}
bool Store::crawler_enabled() const { return impl_->crawler_enabled(); }
void Store::SetCrawlerSleep(uint32_t micros) { impl_->set_crawler_sleep_us(micros); }
void Store::SetCrawlerToCrawl(uint32_t items) { impl_->set_crawler_tocrawl(items); }

CrawlStart Store::StartCrawl(std::span<const int> class_ids) {
  Maintainer* m = impl_->maintainer();
  if (m == nullptr || !impl_->crawler_enabled()) return CrawlStart::kDisabled;
  std::vector<bool> filter;
  if (!class_ids.empty()) {
    filter.assign(impl_->classes().count(), false);
    for (int id : class_ids) {
      if (id < 1 || id > class_count()) return CrawlStart::kBadClass;
      filter[impl_->IndexOfClassId(id)] = true;
    }
  }
  // memcached starts nothing when the classes asked for hold no items.
  std::vector<ClassStats> classes;
  impl_->CollectClassStats(&classes, 0);
  bool any = false;
  for (const ClassStats& c : classes) {
    if (c.number() > 0 && (filter.empty() || filter[impl_->IndexOfClassId(c.id)])) any = true;
  }
  if (!any) return CrawlStart::kNotStarted;
  return m->RequestCrawl(std::move(filter));
}

bool Store::crawler_running() const {
  const Maintainer* m = impl_->maintainer();
  return m != nullptr && m->crawling();
}

int Store::ClassId(ItemView item) const {
  return impl_->ClassIdOfIndex(impl_->ClassIndexOf(*item.item()));
}

int Store::class_count() const { return impl_->ClassIdOfIndex(impl_->classes().count() - 1); }

bool Store::ItemTooLarge(size_t key_len, uint32_t client_flags, size_t value_size) const {
  return MemcachedItemSize(key_len, client_flags, value_size, impl_->config().cas_enabled) >
         impl_->config().item_size_max;
}

void Store::CollectStats(StoreStats* out) const { impl_->CollectStats(out); }

void Store::CollectClassStats(std::vector<ClassStats>* out, base::RelTime now) const {
  impl_->CollectClassStats(out, now);
}

SizesHistogram::Status Store::EnableSizes(bool enable) { return impl_->EnableSizes(enable); }

void Store::CollectSizes(SizesHistogram* out) const { impl_->CollectSizes(out); }

const StoreConfig& Store::config() const { return impl_->config(); }

}  // namespace ringcache::storage
