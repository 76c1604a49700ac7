#include "store_impl.h"

#include <algorithm>
#include <bit>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

#include "bucket_index.h"
#include "maintainer.h"
#include "stripe.h"
#include "thread_state.h"

namespace ringcache::storage {
namespace {

constexpr int kMaxStripeBits = 10;
// Each stripe costs a 4 KB index segment and up to four queue blocks even when
// empty; keep that baseline under ~1/64 of the memory limit.
constexpr size_t kStripeBaseline = 64 * 1024;

int ChooseStripeBits(const StoreConfig& c) {
  if (c.stripes_log2 >= 0) return std::min(c.stripes_log2, kMaxStripeBits);
  // Several stripes per worker so two workers seldom want the same lock.
  const uint64_t by_workers = std::bit_ceil(static_cast<uint64_t>(std::max(c.workers, 1)) * 8);
  const uint64_t by_memory = std::max<uint64_t>(1, c.memory_limit / kStripeBaseline);
  const uint64_t stripes = std::min<uint64_t>(by_workers, std::bit_floor(by_memory));
  return std::min(static_cast<int>(std::bit_width(stripes)) - 1, kMaxStripeBits);
}

}  // namespace

void LruSettings::Set(const LruTuning& t) {
  hot_pct_.store(t.hot_lru_pct, std::memory_order_relaxed);
  warm_pct_.store(t.warm_lru_pct, std::memory_order_relaxed);
  hot_factor_.store(t.hot_max_factor, std::memory_order_relaxed);
  warm_factor_.store(t.warm_max_factor, std::memory_order_relaxed);
  segmented_.store(t.segmented, std::memory_order_relaxed);
  temp_lru_.store(t.temp_lru, std::memory_order_relaxed);
  temp_ttl_.store(t.temporary_ttl, std::memory_order_relaxed);
}

LruTuning LruSettings::Get() const {
  return LruTuning{hot_pct(),   warm_pct(), hot_factor(), warm_factor(),
                   segmented(), temp_lru(), temp_ttl()};
}

absl::StatusOr<std::unique_ptr<StoreImpl>> StoreImpl::Create(const StoreConfig& config) {
  if (config.memory_limit == 0) return absl::InvalidArgumentError("memory limit must be > 0");
  if (config.item_size_max < 1024) return absl::InvalidArgumentError("item size max below 1 KB");
  if (config.memory_limit > config.region_bytes / 2) {
    return absl::InvalidArgumentError(absl::StrCat("memory limit ", config.memory_limit,
                                                   " exceeds half of the ", config.region_bytes,
                                                   "-byte item region"));
  }
  absl::StatusOr<memory::NumaTopology> topology =
      memory::NumaTopology::Read(config.numa_sysfs_root);
  if (!topology.ok()) return topology.status();

  memory::ItemHeapOptions heap_options;
  heap_options.region_bytes = config.region_bytes;
  heap_options.huge_pages = config.huge_pages;
  heap_options.node_ids.clear();
  for (const memory::NumaNode& n : topology->nodes()) {
    heap_options.node_ids.push_back(config.numa_bind && topology->is_numa() ? n.id : -1);
  }
  absl::StatusOr<std::unique_ptr<memory::ItemHeap>> heap = memory::ItemHeap::Create(heap_options);
  if (!heap.ok()) return heap.status();

  // The largest item: every optional header field, a 250-byte key, -I bytes.
  memory::SizeClassTable classes = memory::SizeClassTable::FromJemalloc(config.item_size_max + 512);
  const base::KeyedHash hash = (config.hash_seed0 | config.hash_seed1) != 0
                                   ? base::KeyedHash(config.hash_seed0, config.hash_seed1)
                                   : base::KeyedHash::Random();
  std::unique_ptr<StoreImpl> s(
      new StoreImpl(config, std::move(*topology), std::move(*heap), std::move(classes), hash));
  return s;
}

StoreImpl::StoreImpl(const StoreConfig& config, memory::NumaTopology topology,
                     std::unique_ptr<memory::ItemHeap> heap, memory::SizeClassTable classes,
                     base::KeyedHash hash)
    : config_(config),
      topology_(std::move(topology)),
      heap_(std::move(heap)),
      classes_(std::move(classes)),
      hash_(hash),
      budget_(config.memory_limit),
      departed_(std::make_unique<ThreadCounters>(classes_.count())),
      departed_sizes_(config.item_size_max / 32 + 2, 0) {
  // Class 1 is the smallest class any item can occupy.
  first_class_ =
      classes_.IndexOf(Item::HeaderSize(config.cas_enabled ? item_layout::kCas : uint8_t{0}) + 1);
  lru_.Set(config.lru);
  crawler_enabled_.store(config.lru_crawler, std::memory_order_relaxed);
  crawler_sleep_us_.store(config.crawler_sleep_us, std::memory_order_relaxed);
  crawler_tocrawl_.store(config.crawler_tocrawl, std::memory_order_relaxed);
  pool_chunk_ = std::clamp<size_t>(
      config.memory_limit / (static_cast<size_t>(std::max(config.workers, 1)) * 64), 4096,
      256 * 1024);
  stripe_bits_ = ChooseStripeBits(config);
  const int stripes = 1 << stripe_bits_;
  // -o hashpower counts item slots the way memcached's table does (one
  // item per bucket head); a bucket here holds ~kItemsPerBucket of them.
  const int per_stripe_log2 = std::max(
      config.hashpower - stripe_bits_ - Stripe::kItemsPerBucketLog2, BucketIndex::kSegmentBits);
  stripes_.reserve(stripes);
  size_t structures = 0;
  for (int i = 0; i < stripes; ++i) {
    stripes_.push_back(std::make_unique<Stripe>(this, per_stripe_log2));
    structures += stripes_.back()->index().bytes() + stripes_.back()->queue_bytes();
  }
  // The index and the LRU's tables are part of what -m bounds.
  budget_.Force(structures);
}

StoreImpl::~StoreImpl() {
  maintainer_.reset();
  // No thread is left: items go with the arenas (ItemHeap's destructor frees
  // them wholesale); only retired index directories are plain allocations.
  for (const RetireQueue::Entry& o : orphans_) {
    if (o.directory()) BucketIndex::FreeDirectory(o.ptr());
  }
  stripes_.clear();
}

void StoreImpl::Flush(base::RelTime when, base::RelTime now) {
  // memcached: with CAS, everything last touched at or before when-1 dies,
  // and for an immediate flush so does everything whose CAS predates it; the
  // CAS bound goes first so no reader sees the time bound without it.
  if (config_.cas_enabled) {
    const base::RelTime oldest = when - 1;
    if (oldest <= now) oldest_cas_.store(NextCas(), std::memory_order_relaxed);
    oldest_live_.store(oldest, std::memory_order_release);
  } else {
    oldest_live_.store(when, std::memory_order_release);
  }
}

void StoreImpl::AddThread(StoreThreadImpl* t) {
  std::lock_guard<std::mutex> lock(threads_mu_);
  threads_.push_back(t);
}

void StoreImpl::RemoveThread(StoreThreadImpl* t) {
  // Make the departing thread's retirements freeable by the next scans.
  if (!t->retired_.empty() && t->retired_.back().tag >= qsbr_.RetireEpoch()) qsbr_.Advance();
  t->qsbr().Offline();
  std::lock_guard<std::mutex> lock(threads_mu_);
  threads_.erase(std::find(threads_.begin(), threads_.end(), t));
  departed_->Absorb(t->counters());
  t->AddSizesTo(&departed_sizes_, sizes_generation());
  t->retired_.ForEach([this](const RetireQueue::Entry& r) { orphans_.push_back(r); });
  t->retired_.clear();
  if (!orphans_.empty()) has_orphans_.store(true, std::memory_order_relaxed);
}

void StoreImpl::ReclaimOrphans(StoreThreadImpl* t) {
  std::unique_lock<std::mutex> lock(threads_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  const uint64_t safe = qsbr_.SafeEpoch();
  size_t keep = 0;
  for (const RetireQueue::Entry& o : orphans_) {
    if (o.tag < safe) {
      t->FreeRetired(o);
    } else {
      orphans_[keep++] = o;
    }
  }
  orphans_.resize(keep);
  has_orphans_.store(keep > 0, std::memory_order_relaxed);
}

size_t StoreImpl::StealBudget(StoreThreadImpl* t) {
  std::lock_guard<std::mutex> lock(threads_mu_);
  size_t moved = 0;
  for (StoreThreadImpl* other : threads_) moved += t->pool().StealFrom(&other->pool());
  return moved;
}

void StoreImpl::set_maintainer(std::unique_ptr<Maintainer> m) { maintainer_ = std::move(m); }

SizesHistogram::Status StoreImpl::EnableSizes(bool enable) {
  if (!enable) {
    sizes_enabled_.store(false, std::memory_order_relaxed);
    return SizesHistogram::Status::kDisabled;
  }
  if (!config_.cas_enabled) return SizesHistogram::Status::kCasDisabled;
  if (!sizes_enabled_.load(std::memory_order_relaxed)) {
    // Only items linked from now on are counted (their CAS is higher), so
    // removals of older items are ignored, as in memcached.
    sizes_cas_min_.store(cas_counter_.load(std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
    sizes_generation_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(threads_mu_);
    std::fill(departed_sizes_.begin(), departed_sizes_.end(), 0);
    sizes_enabled_.store(true, std::memory_order_relaxed);
  }
  return SizesHistogram::Status::kEnabled;
}

void StoreImpl::CollectSizes(SizesHistogram* out) const {
  out->buckets.clear();
  if (!config_.cas_enabled) {
    out->status = SizesHistogram::Status::kCasDisabled;
    return;
  }
  if (!sizes_enabled()) {
    out->status = SizesHistogram::Status::kDisabled;
    return;
  }
  out->status = SizesHistogram::Status::kEnabled;
  std::vector<int64_t> sums;
  {
    std::lock_guard<std::mutex> lock(threads_mu_);
    sums = departed_sizes_;
    for (const StoreThreadImpl* t : threads_) t->AddSizesTo(&sums, sizes_generation());
  }
  for (size_t i = 0; i < sums.size(); ++i) {
    if (sums[i] > 0) out->buckets.emplace_back(i * 32, static_cast<uint64_t>(sums[i]));
  }
}

void StoreImpl::SumCounters(std::vector<ClassStats>* classes, StoreStats* out) const {
  classes->assign(classes_.count(), ClassStats{});
  std::vector<uint64_t> latest(classes_.count(), 0);
  std::lock_guard<std::mutex> lock(threads_mu_);
  for (const StoreThreadImpl* t : threads_)
    t->counters().SumInto(classes->data(), latest.data(), out);
  departed_->SumInto(classes->data(), latest.data(), out);
  int64_t pooled = 0;
  for (const StoreThreadImpl* t : threads_) pooled += static_cast<int64_t>(t->pool_.held());
  out->total_malloced = static_cast<uint64_t>(std::max<int64_t>(0, budget_.taken() - pooled));
}

void StoreImpl::CollectStats(StoreStats* out) const {
  *out = StoreStats{};
  std::vector<ClassStats> classes;
  SumCounters(&classes, out);
  for (const ClassStats& c : classes) {
    out->curr_items += c.number();
    out->evictions += c.evicted;
    out->evicted_nonzero += c.evicted_nonzero;
    out->evicted_unfetched += c.evicted_unfetched;
    out->evicted_active += c.evicted_active;
    out->expired_unfetched += c.expired_unfetched;
    out->reclaimed += c.reclaimed;
    out->outofmemory += c.outofmemory;
    out->moves_to_cold += c.moves_to_cold;
    out->moves_to_warm += c.moves_to_warm;
    out->moves_within_lru += c.moves_within_lru;
    out->direct_reclaims += c.direct_reclaims;
    out->crawler_reclaimed += c.crawler_reclaimed;
    out->crawler_items_checked += c.crawler_items_checked;
    out->get_hits += c.get_hits;
    out->cmd_set += c.cmd_set;
    out->delete_hits += c.delete_hits;
    out->incr_hits += c.incr_hits;
    out->decr_hits += c.decr_hits;
    out->cas_hits += c.cas_hits;
    out->cas_badval += c.cas_badval;
    out->touch_hits += c.touch_hits;
  }
  uint64_t buckets = 0;
  for (const auto& s : stripes_) {
    std::lock_guard<std::mutex> lock(s->mu());
    out->bytes += s->bytes();
    out->hash_bytes += s->index().bytes();
    out->lru_queue_bytes += s->queue_bytes();
    buckets += s->index().buckets();
    if (s->index().WantsSplit() || s->index().frozen()) out->hash_is_expanding = true;
  }
  out->hash_power_level =
      buckets == 0 ? 0 : std::bit_width(buckets) - 1 + Stripe::kItemsPerBucketLog2;
  out->limit_maxbytes = budget_.limit();
  out->oldest_live = oldest_live();
  out->stripes = stripe_count();
  out->numa_nodes = heap_->nodes();
  if (maintainer_ != nullptr) out->lru_crawler_running = maintainer_->crawling();
}

void StoreImpl::CollectClassStats(std::vector<ClassStats>* out, base::RelTime now) const {
  StoreStats unused;
  std::vector<ClassStats> all;
  SumCounters(&all, &unused);
  // The LRU is per stripe, so its ages are the store's oldest tails.
  base::RelTime age[kSegments] = {};
  for (const auto& s : stripes_) {
    std::lock_guard<std::mutex> lock(s->mu());
    for (int seg = 0; seg < kSegments; ++seg) {
      age[seg] = std::max(age[seg], s->PeekTailAge(static_cast<Segment>(seg), now));
    }
  }
  out->clear();
  for (int i = first_class_; i < classes_.count(); ++i) {
    ClassStats& c = all[i];
    if (c.number() == 0 && c.used_chunks == 0 && c.cmd_set == 0 && c.get_hits == 0 &&
        c.evicted == 0 && c.outofmemory == 0 && c.reclaimed == 0 && c.crawler_items_checked == 0) {
      continue;
    }
    const memory::SizeClass& sc = classes_.at(i);
    c.id = ClassIdOfIndex(i);
    c.chunk_size = sc.size;
    c.chunks_per_page = sc.regions_per_slab;
    c.page_size = sc.slab_bytes;
    c.age_hot = age[static_cast<int>(Segment::kHot)];
    c.age_warm = age[static_cast<int>(Segment::kWarm)];
    c.age = age[static_cast<int>(Segment::kCold)];
    out->push_back(c);
  }
}

}  // namespace ringcache::storage
