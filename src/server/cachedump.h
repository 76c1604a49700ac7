// `stats cachedump <class> <limit>`: one "ITEM <key> [<bytes> b; <expiry> s]"
// line per item of one size class, then "END", as memcached 1.6.18 writes it.
//
// Same caps as memcached's item_cachedump: at most `limit` items (0: no
// count limit) and a reply below 2 MB (an item whose line would bring the
// reply, with its "END\r\n\0", above 2 MB ends the dump). Items with binary
// keys (meta b) are left out, as memcached leaves them out. Class 0 and
// classes beyond the store's largest answer a bare "END".
//
// Differences from memcached, by design: memcached dumps only the COLD
// segment of the class, from its head (newest first), and includes expired
// items not yet reclaimed. ringcached has no per-class LRU to walk: it
// reuses the store's consistent walk (the one `lru_crawler metadump` uses)
// and so dumps every live item of the class, HOT, WARM and COLD alike, in
// walk order (by stripe and bucket), leaving out expired and flushed items.
// The walk visits the whole cache to find one class's items; like
// memcached's, the dump runs to completion on the worker that received it.
//
// Threading: runs on a worker, with that worker's StoreThread; the item
// views it formats are used before the worker's next Quiesce().
#pragma once

#include <cstddef>
#include <cstdint>

#include "ringcache/base/clock.h"
#include "ringcache/base/out_buffer.h"
#include "ringcache/storage/store.h"

namespace ringcache::server {

// memcached's memlimit for the cachedump reply buffer.
inline constexpr size_t kCachedumpMaxBytes = 2 * 1024 * 1024;

// Appends the whole reply (items and "END\r\n") to `out`.
void WriteCachedump(storage::StoreThread& thread, const base::ProcessClock& clock,
                    base::RelTime now, uint32_t class_id, uint32_t limit, base::OutBuffer& out);

}  // namespace ringcache::server
