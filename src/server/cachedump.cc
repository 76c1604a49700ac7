#include "cachedump.h"

#include <vector>

#include "ringcache/protocol/stats_writer.h"
#include "ringcache/protocol/text_composer.h"

namespace ringcache::server {
namespace {

// Items visited per Walk call; the walk stops between calls once full.
constexpr size_t kItemsPerStep = 4096;
// memcached reserves room for "END\r\n" and its terminating NUL.
constexpr size_t kEndRoom = 6;

}  // namespace

void WriteCachedump(storage::StoreThread& thread, const base::ProcessClock& clock,
                    base::RelTime now, uint32_t class_id, uint32_t limit, base::OutBuffer& out) {
  const storage::Store& store = *thread.store();
  // The walk visits the whole cache; a class holding nothing needs none.
  bool has_items = false;
  if (class_id >= 1 && static_cast<int>(class_id) <= store.class_count()) {
    std::vector<storage::ClassStats> classes;
    store.CollectClassStats(&classes, now);
    for (const storage::ClassStats& c : classes) {
      has_items |= c.id == static_cast<int>(class_id) && c.number() > 0;
    }
  }
  if (has_items) {
    size_t bytes = 0;
    uint32_t shown = 0;
    bool full = false;
    storage::WalkCursor cursor;
    auto visit = [&](storage::ItemView item) {
      if (full || item.key_binary()) return;
      if (store.ClassId(item) != static_cast<int>(class_id)) return;
      const uint64_t expiry =
          item.exptime() == 0 ? 0 : static_cast<uint64_t>(clock.ToUnix(item.exptime()));
      const auto value_bytes = static_cast<uint32_t>(item.value_size());
      const size_t len = protocol::CachedumpItemLength(item.key(), value_bytes, expiry);
      if (bytes + len + kEndRoom > kCachedumpMaxBytes) {
        full = true;
        return;
      }
      protocol::AppendCachedumpItem(out, item.key(), value_bytes, expiry);
      bytes += len;
      if (++shown == limit) full = true;
    };
    while (!full && thread.Walk(&cursor, kItemsPerStep, now, visit)) {
    }
  }
  protocol::AppendEnd(out);
}

}  // namespace ringcache::server
