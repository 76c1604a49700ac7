// The classic text commands: get/gets/gat/gats, the storage commands,
// incr/decr, delete and touch, with memcached 1.6.18's replies and counters
// (proto_text.c's process_*_command and complete_nread_ascii).
#include <cstring>
#include <vector>

#include "connection.h"
#include "key_plan.h"
#include "ringcache/protocol/errors.h"
#include "ringcache/protocol/text_composer.h"

namespace ringcache::server {

using protocol::ProtocolError;
using protocol::TextReply;
using storage::StoreMode;

namespace {

// Keys of a multi-key get planned at once (key_plan.h): the plan's first
// keys wait for their loads, so a chunk should be several times its depth.
constexpr int kMultiGetPlan = 64;

}  // namespace

void Connection::AppendHit(base::OutBuffer& out, storage::ItemView item, bool with_cas) {
  const storage::ItemView::ValueParts v = item.value();
  if (item.pinnable()) {
    // Large value: send the item's own bytes and keep it alive until then.
    storage::ItemPin pin = worker_.store().Pin(item);
    if (pin) {
      const uint32_t size = static_cast<uint32_t>(item.value_size());
      if (with_cas) {
        protocol::AppendValueHeaderWithCas(out, item.key(), item.client_flags(), size, item.cas());
      } else {
        protocol::AppendValueHeader(out, item.key(), item.client_flags(), size);
      }
      if (v.second.empty()) {
        out.AppendRef(v.first, std::move(pin).ToOutRef());
      } else {
        // Both parts live as long as the item: one pin, released after the
        // tail (segments are sent and released in order).
        out.AppendRef(v.first, base::OutRef{});
        out.AppendRef(v.second, std::move(pin).ToOutRef());
      }
      protocol::AppendCrlf(out);
      return;
    }
  }
  protocol::AppendValueCopy(out, item.key(), item.client_flags(), v.first, v.second, with_cas,
                            item.cas());
}

void Connection::CountFetch(std::string_view key, storage::ItemView item, bool touch) {
  ThreadStats& stats = worker_.stats();
  if (touch) {
    stats.touch_cmds.Add();
    if (!item) stats.touch_misses.Add();
  } else {
    stats.get_cmds.Add();
    if (!item) stats.get_misses.Add();
  }
  LogFetch(key, item);
}

void Connection::Get(base::OutBuffer& out, const protocol::TextRequest& req, bool with_cas,
                     bool touch) {
  storage::StoreThread& st = worker_.store();
  storage::GetOptions options;
  if (touch) {
    options.touch = true;
    options.new_exptime = Expiry(req.exptime);
  }
  const size_t mark = out.size();
  std::vector<size_t>* const udp_key_starts = worker_.udp_key_starts();
  auto fetch = [&](std::string_view key) {
    if (RC_UNLIKELY(udp_key_starts != nullptr)) udp_key_starts->push_back(out.size());
    const storage::GetResult r = st.Get(key, now(), options);
    CountFetch(key, r.item, touch);
    worker_.server().prefix_stats.RecordGet(key, static_cast<bool>(r.item));
    if (r.item) AppendHit(out, r.item, with_cas);
  };
  if (RC_LIKELY(req.keys.count == 1)) {
    // The common single-key get: no second scan of the key list.
    fetch(req.keys.first);
  } else {
    // The keys are served one after another, each starting the loads of the
    // keys behind it (key_plan.h), planned a chunk at a time.
    KeyPlan<kMultiGetPlan> plan;
    auto planned = req.keys.begin();
    const auto end = req.keys.end();
    int index = 0;
    bool first = true;
    for (std::string_view key : req.keys) {
      if (index == plan.count()) {
        plan.Reset();
        uint64_t* hashes = plan.batch(kMultiGetPlan);
        int n = 0;
        for (; n < kMultiGetPlan && planned != end; ++n, ++planned)
          hashes[n] = st.KeyHash(*planned);
        plan.added(n);
        index = 0;
      }
      plan.Serve(st, index++);
      // Every key after the first needs a response object of its own in
      // memcached; without one the whole reply is replaced by an error.
      if (!first && !TakeResponse()) {
        out.TruncateTo(mark);
        if (RC_UNLIKELY(udp_key_starts != nullptr)) udp_key_starts->clear();
        protocol::AppendError(out, ProtocolError::kOutOfMemoryWritingGet);
        return;
      }
      first = false;
      fetch(key);
    }
  }
  protocol::AppendEnd(out);
}

void Connection::StartStore(base::OutBuffer& out, const protocol::TextRequest& req,
                            StoreMode mode) {
  worker_.server().prefix_stats.RecordSet(req.key);
  storage::AllocOptions options;
  // memcached drops the key's current item when a set cannot be stored, so
  // stale data does not outlive a failed update.
  options.unlink_on_failure = mode == StoreMode::kSet;
  const storage::AllocResult a = worker_.store().Allocate(
      req.key, req.client_flags, Expiry(req.exptime), req.value_bytes, now(), &item_, options);
  if (a != storage::AllocResult::kOk) {
    LogStoreFailure(req.key, a, mode, Expiry(req.exptime), req.value_bytes);
    if (a == storage::AllocResult::kTooLarge) {
      worker_.stats().store_too_large.Add();
      if (!req.noreply) protocol::AppendError(out, ProtocolError::kTooLarge);
    } else {
      worker_.stats().store_no_memory.Add();
      if (!req.noreply) protocol::AppendError(out, ProtocolError::kOutOfMemoryStoring);
    }
    BeginSwallow(uint64_t{req.value_bytes} + 2);
    return;
  }
  pending_.mode = mode;
  // TextRequest keeps fields of earlier parses: only `cas` carries one.
  pending_.compare_cas = mode == StoreMode::kCas ? req.cas : 0;
  pending_.noreply = req.noreply;
  pending_.meta = false;
  pending_.binary = false;
  BeginValue(req.value_bytes);
}

void Connection::FinishStore(base::OutBuffer& out) {
  storage::StoreOptions options;
  options.mode = pending_.mode;
  options.compare_cas = pending_.compare_cas;
  const std::string_view key = WatchKey();
  const storage::StoreResult r = worker_.store().Store(std::move(item_), options, now(), nullptr);
  if (RC_UNLIKELY(!key.empty())) LogStore(key, r, pending_.mode);
  if (r == storage::StoreResult::kNotFound && pending_.mode == StoreMode::kCas) {
    worker_.stats().cas_misses.Add();
  }
  if (pending_.noreply) return;
  switch (r) {
    case storage::StoreResult::kStored:
      protocol::AppendReply(out, TextReply::kStored);
      break;
    case storage::StoreResult::kNotStored:
      protocol::AppendReply(out, TextReply::kNotStored);
      break;
    case storage::StoreResult::kExists:
      protocol::AppendReply(out, TextReply::kExists);
      break;
    case storage::StoreResult::kNotFound:
      protocol::AppendReply(out, TextReply::kNotFound);
      break;
  }
}

void Connection::Arithmetic(base::OutBuffer& out, const protocol::TextRequest& req, bool incr) {
  storage::ArithOptions options;
  options.incr = incr;
  options.delta = req.delta;
  const storage::ArithOutcome r = worker_.store().Arith(req.key, options, now());
  switch (r.result) {
    case storage::ArithResult::kOk:
      if (!req.noreply) protocol::AppendNumberLine(out, r.value);
      return;
    case storage::ArithResult::kNotFound:
    case storage::ArithResult::kExists:  // no CAS in the classic command: cannot happen
      (incr ? worker_.stats().incr_misses : worker_.stats().decr_misses).Add();
      if (!req.noreply) protocol::AppendReply(out, TextReply::kNotFound);
      return;
    case storage::ArithResult::kNonNumeric:
      if (!req.noreply) protocol::AppendError(out, ProtocolError::kNonNumeric);
      return;
    case storage::ArithResult::kOutOfMemory:
      if (!req.noreply) protocol::AppendError(out, ProtocolError::kOutOfMemory);
      return;
  }
}

void Connection::Delete(base::OutBuffer& out, const protocol::TextRequest& req) {
  worker_.server().prefix_stats.RecordDelete(req.key);
  const storage::DeleteResult r = worker_.store().Delete(req.key, {}, now());
  if (r == storage::DeleteResult::kDeleted) {
    if (!req.noreply) protocol::AppendReply(out, TextReply::kDeleted);
    return;
  }
  worker_.stats().delete_misses.Add();
  if (!req.noreply) protocol::AppendReply(out, TextReply::kNotFound);
}

void Connection::Touch(base::OutBuffer& out, const protocol::TextRequest& req) {
  const storage::TouchResult r = worker_.store().Touch(req.key, Expiry(req.exptime), now());
  ThreadStats& stats = worker_.stats();
  stats.touch_cmds.Add();
  if (r == storage::TouchResult::kTouched) {
    if (!req.noreply) protocol::AppendReply(out, TextReply::kTouched);
    return;
  }
  stats.touch_misses.Add();
  if (!req.noreply) protocol::AppendReply(out, TextReply::kNotFound);
}

}  // namespace ringcache::server
