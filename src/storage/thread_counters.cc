#include "thread_counters.h"

namespace ringcache::storage {
namespace {

// Applies `fn(dst, src)` to every additive per-class counter pair.
template <typename Fn>
void ForEachClassCounter(ClassCounters& dst, const ClassCounters& src, Fn fn) {
  for (int s = 0; s < kSegments; ++s) {
    fn(dst.items[s], src.items[s]);
    fn(dst.hits[s], src.hits[s]);
  }
  fn(dst.mem_requested, src.mem_requested);
  fn(dst.used_chunks, src.used_chunks);
  fn(dst.evicted, src.evicted);
  fn(dst.evicted_nonzero, src.evicted_nonzero);
  fn(dst.evicted_unfetched, src.evicted_unfetched);
  fn(dst.evicted_active, src.evicted_active);
  fn(dst.outofmemory, src.outofmemory);
  fn(dst.reclaimed, src.reclaimed);
  fn(dst.expired_unfetched, src.expired_unfetched);
  fn(dst.crawler_reclaimed, src.crawler_reclaimed);
  fn(dst.crawler_items_checked, src.crawler_items_checked);
  fn(dst.moves_to_cold, src.moves_to_cold);
  fn(dst.moves_to_warm, src.moves_to_warm);
  fn(dst.moves_within_lru, src.moves_within_lru);
  fn(dst.direct_reclaims, src.direct_reclaims);
  fn(dst.cmd_set, src.cmd_set);
  fn(dst.delete_hits, src.delete_hits);
  fn(dst.incr_hits, src.incr_hits);
  fn(dst.decr_hits, src.decr_hits);
  fn(dst.cas_hits, src.cas_hits);
  fn(dst.cas_badval, src.cas_badval);
  fn(dst.touch_hits, src.touch_hits);
}

uint64_t U(const Counter& c) { return static_cast<uint64_t>(c.Get()); }

}  // namespace

void ThreadCounters::SumInto(ClassStats* out_classes, uint64_t* latest_eviction,
                             StoreStats* out) const {
  for (int i = 0; i < count_; ++i) {
    const ClassCounters& c = classes_[i];
    ClassStats& o = out_classes[i];
    for (int s = 0; s < kSegments; ++s) {
      o.items[s] += U(c.items[s]);
      o.hits[s] += U(c.hits[s]);
      o.get_hits += U(c.hits[s]);
    }
    o.mem_requested += U(c.mem_requested);
    o.used_chunks += U(c.used_chunks);
    o.evicted += U(c.evicted);
    o.evicted_nonzero += U(c.evicted_nonzero);
    o.evicted_unfetched += U(c.evicted_unfetched);
    o.evicted_active += U(c.evicted_active);
    // The most recent eviction wins, across threads.
    const uint64_t at = U(c.evicted_time_at);
    if (at != 0 && at >= latest_eviction[i]) {
      latest_eviction[i] = at;
      o.evicted_time = static_cast<uint32_t>(at);
    }
    o.outofmemory += U(c.outofmemory);
    o.reclaimed += U(c.reclaimed);
    o.expired_unfetched += U(c.expired_unfetched);
    o.crawler_reclaimed += U(c.crawler_reclaimed);
    o.crawler_items_checked += U(c.crawler_items_checked);
    o.moves_to_cold += U(c.moves_to_cold);
    o.moves_to_warm += U(c.moves_to_warm);
    o.moves_within_lru += U(c.moves_within_lru);
    o.direct_reclaims += U(c.direct_reclaims);
    o.cmd_set += U(c.cmd_set);
    o.delete_hits += U(c.delete_hits);
    o.incr_hits += U(c.incr_hits);
    o.decr_hits += U(c.decr_hits);
    o.cas_hits += U(c.cas_hits);
    o.cas_badval += U(c.cas_badval);
    o.touch_hits += U(c.touch_hits);
  }
  out->total_items += U(total_items);
  out->get_expired += U(get_expired);
  out->get_flushed += U(get_flushed);
  out->lru_maintainer_juggles += U(lru_maintainer_juggles);
  out->lru_crawler_starts += U(lru_crawler_starts);
}

void ThreadCounters::Absorb(const ThreadCounters& other) {
  for (int i = 0; i < count_ && i < other.count_; ++i) {
    ForEachClassCounter(classes_[i], other.classes_[i],
                        [](Counter& d, const Counter& s) { d.Add(s.Get()); });
    if (other.classes_[i].evicted_time_at.Get() > classes_[i].evicted_time_at.Get()) {
      classes_[i].evicted_time_at.Set(other.classes_[i].evicted_time_at.Get());
    }
  }
  total_items.Add(other.total_items.Get());
  get_expired.Add(other.get_expired.Get());
  get_flushed.Add(other.get_flushed.Get());
  lru_maintainer_juggles.Add(other.lru_maintainer_juggles.Get());
  lru_crawler_starts.Add(other.lru_crawler_starts.Get());
}

}  // namespace ringcache::storage
