// The meta commands mg, ms, md, ma and me, with memcached 1.6.18's semantics
// (proto_text.c's process_m*_command): their flags map onto the options of
// the store's primitives, so a vivify, recache or invalidate decision is
// atomic with the lookup; the protocol layer's meta composer writes the
// reply lines.
#include <algorithm>
#include <cstring>

#include "connection.h"
#include "ringcache/protocol/errors.h"
#include "ringcache/protocol/meta_composer.h"
#include "ringcache/protocol/text_composer.h"

namespace ringcache::server {
namespace {

using protocol::MetaRequest;
using protocol::MetaStatus;

// Position of `flag` in the request's flag order, or -1.
int FlagIndex(const MetaRequest& req, char flag) {
  for (int i = 0; i < req.flag_count; ++i) {
    if (req.order[i] == flag) return i;
  }
  return -1;
}

storage::StoreMode ToStoreMode(protocol::StoreKind kind) {
  switch (kind) {
    case protocol::StoreKind::kSet:
      return storage::StoreMode::kSet;
    case protocol::StoreKind::kAdd:
      return storage::StoreMode::kAdd;
    case protocol::StoreKind::kReplace:
      return storage::StoreMode::kReplace;
    case protocol::StoreKind::kAppend:
      return storage::StoreMode::kAppend;
    case protocol::StoreKind::kPrepend:
      return storage::StoreMode::kPrepend;
    case protocol::StoreKind::kCas:
      return storage::StoreMode::kCas;
  }
  return storage::StoreMode::kSet;
}

}  // namespace

uint64_t MemcachedItemSize(size_t key_len, uint32_t client_flags, size_t value_len, bool cas) {
  return 48 + key_len + 1 + (client_flags != 0 ? sizeof(uint32_t) : 0) + value_len + 2 +
         (cas ? sizeof(uint64_t) : 0);
}

void Connection::MetaGet(base::OutBuffer& out, const MetaRequest& req) {
  storage::GetOptions options;
  options.bump = !req.has('u');
  const bool ttl_set = req.has('T');
  if (ttl_set) {
    options.touch = true;
    options.new_exptime = Expiry(req.ttl);
  }
  if (req.has('N')) {
    options.vivify = true;
    // A created item takes the exptime of whichever of N and T comes last.
    const int n = FlagIndex(req, 'N');
    const int t = FlagIndex(req, 'T');
    options.vivify_exptime = Expiry(t > n ? req.ttl : req.vivify_ttl);
  }
  if (req.has('R')) {
    options.recache = true;
    options.recache_below = Expiry(req.recache_ttl);
    options.recache_after_touch = ttl_set && FlagIndex(req, 'T') < FlagIndex(req, 'R');
  }
  const storage::GetResult r = worker_.store().Get(req.key(), now(), options);
  CountFetch(req.key(), r.item, ttl_set);
  if (!r.item) {
    protocol::AppendMetaGetMiss(out, req);
    return;
  }
  const storage::ItemView item = r.item;
  protocol::MetaItemInfo info;
  info.key = item.key();
  info.key_binary = item.key_binary();
  info.value_bytes = static_cast<uint32_t>(item.value_size());
  info.client_flags = item.client_flags();
  info.cas = item.cas();
  info.exptime = item.exptime();
  info.exptime_before = r.created ? 0 : r.prior.exptime;
  info.last_access = r.prior.last_access;
  info.now = now();
  info.fetched = r.prior.fetched;
  info.created = r.created;
  info.lost = r.lost;
  info.stale = item.stale();
  info.won = r.won;
  protocol::AppendMetaGetHit(out, req, info);
  if (req.want_value()) {
    const storage::ItemView::ValueParts v = item.value();
    out.Append(v.first);
    out.Append(v.second);
    protocol::AppendCrlf(out);
  }
}

void Connection::MetaSet(base::OutBuffer& out, const MetaRequest& req) {
  storage::AllocOptions options;
  options.key_binary = req.key_binary();
  // memcached drops the key's item whenever an ms cannot allocate.
  options.unlink_on_failure = true;
  const int32_t ttl = req.has('T') ? req.ttl : 0;
  const storage::AllocResult a =
      worker_.store().Allocate(req.key(), req.has('F') ? req.client_flags : 0, Expiry(ttl),
                               req.value_bytes, now(), &item_, options);
  if (a != storage::AllocResult::kOk) {
    LogStoreFailure(req.key(), a, ToStoreMode(req.store_kind), Expiry(ttl), req.value_bytes);
    // ms always reports errors, q or not.
    if (a == storage::AllocResult::kTooLarge) {
      worker_.stats().store_too_large.Add();
      protocol::AppendError(out, protocol::ProtocolError::kTooLarge);
    } else {
      worker_.stats().store_no_memory.Add();
      protocol::AppendError(out, protocol::ProtocolError::kOutOfMemoryStoring);
    }
    BeginSwallow(uint64_t{req.value_bytes} + 2);
    return;
  }
  pending_.meta = true;
  pending_.binary = false;
  pending_.noreply = false;
  pending_.mode = ToStoreMode(req.store_kind);
  pending_.compare_cas = req.compare_cas;
  // The reply echoes the key and opaque after the line is gone: keep copies.
  pending_.meta_req = req;
  if (!req.key_binary()) {
    const std::string_view key = req.key();
    std::memcpy(pending_.key, key.data(), key.size());
    pending_.meta_req.SetTextKey(std::string_view(pending_.key, key.size()));
  }
  const size_t opaque_len = std::min(req.opaque.size(), sizeof(pending_.opaque));
  // No opaque: its view may be null, which memcpy must not be given.
  if (opaque_len > 0) std::memcpy(pending_.opaque, req.opaque.data(), opaque_len);
  pending_.meta_req.opaque = std::string_view(pending_.opaque, opaque_len);
  BeginValue(req.value_bytes);
}

void Connection::FinishMetaSet(base::OutBuffer& out, bool terminated_ok) {
  const MetaRequest& req = pending_.meta_req;
  if (!terminated_ok) {
    item_ = storage::NewItem();
    // memcached's meta set answers a bad chunk even in quiet mode.
    protocol::AppendError(out, protocol::ProtocolError::kBadDataChunk);
    return;
  }
  storage::StoreOptions options;
  options.mode = pending_.mode;
  options.compare_cas = pending_.compare_cas;
  options.invalidate = req.invalidate() && pending_.mode == storage::StoreMode::kCas;
  uint64_t cas = 0;
  const std::string_view key = WatchKey();
  const storage::StoreResult r = worker_.store().Store(std::move(item_), options, now(), &cas);
  if (RC_UNLIKELY(!key.empty())) LogStore(key, r, pending_.mode);
  MetaStatus status = MetaStatus::kHd;
  switch (r) {
    case storage::StoreResult::kStored:
      status = MetaStatus::kHd;
      break;
    case storage::StoreResult::kNotStored:
      status = MetaStatus::kNs;
      break;
    case storage::StoreResult::kExists:
      status = MetaStatus::kEx;
      break;
    case storage::StoreResult::kNotFound:
      if (pending_.mode == storage::StoreMode::kCas) worker_.stats().cas_misses.Add();
      status = MetaStatus::kNf;
      break;
  }
  protocol::AppendMetaSetReply(out, req, status, cas);
}

void Connection::MetaDelete(base::OutBuffer& out, const MetaRequest& req) {
  storage::DeleteOptions options;
  options.compare_cas = req.has('C') ? req.compare_cas : 0;
  options.invalidate = req.has('I');
  if (options.invalidate && req.has('T')) {
    options.touch = true;
    options.new_exptime = Expiry(req.ttl);
  }
  const storage::DeleteResult r = worker_.store().Delete(req.key(), options, now());
  MetaStatus status = MetaStatus::kHd;
  if (r == storage::DeleteResult::kNotFound) {
    status = MetaStatus::kNf;
    worker_.stats().delete_misses.Add();
  } else if (r == storage::DeleteResult::kExists) {
    status = MetaStatus::kEx;
    worker_.stats().delete_misses.Add();
  }
  protocol::AppendMetaDeleteReply(out, req, status);
}

void Connection::MetaArithmetic(base::OutBuffer& out, const MetaRequest& req) {
  storage::ArithOptions options;
  options.incr = req.incr;
  options.delta = req.delta;
  options.compare_cas = req.has('C') ? req.compare_cas : 0;
  if (req.has('N')) {
    options.vivify = true;
    options.initial = req.initial;
    options.vivify_exptime = Expiry(req.vivify_ttl);
  }
  if (req.has('T')) {
    options.touch = true;
    options.new_exptime = Expiry(req.ttl);
  }
  const storage::ArithOutcome r = worker_.store().Arith(req.key(), options, now());
  protocol::MetaArithInfo info;
  info.value = r.value;
  info.cas = r.cas;
  info.exptime = r.exptime;
  info.exptime_before = r.prior_exptime;
  info.now = now();
  info.created = r.created;
  switch (r.result) {
    case storage::ArithResult::kOk:
      protocol::AppendMetaArithReply(out, req, MetaStatus::kHd, info);
      return;
    case storage::ArithResult::kNotFound:
      (req.incr ? worker_.stats().incr_misses : worker_.stats().decr_misses).Add();
      protocol::AppendMetaArithReply(out, req, MetaStatus::kNf, info);
      return;
    case storage::ArithResult::kExists:
      protocol::AppendMetaArithReply(out, req, MetaStatus::kEx, info);
      return;
    case storage::ArithResult::kNonNumeric:
      protocol::AppendError(out, protocol::ProtocolError::kNonNumeric);
      return;
    case storage::ArithResult::kOutOfMemory:
      protocol::AppendError(out, r.created || options.vivify
                                     ? protocol::ProtocolError::kMetaOutOfMemoryVivify
                                     : protocol::ProtocolError::kOutOfMemory);
      return;
  }
}

void Connection::MetaDebug(base::OutBuffer& out, const MetaRequest& req) {
  storage::GetOptions options;
  options.bump = false;
  const storage::GetResult r = worker_.store().Get(req.key(), now(), options);
  worker_.stats().meta_cmds.Add();
  if (!r.item) {
    protocol::AppendMetaDebugMiss(out);
    return;
  }
  const storage::ItemView item = r.item;
  protocol::MetaDebugInfo info;
  info.key = item.key();
  info.key_binary = item.key_binary();
  info.exptime = item.exptime();
  info.last_access = item.last_access();
  info.now = now();
  info.cas = item.cas();
  info.fetched = item.fetched();
  info.size_class = static_cast<uint32_t>(worker_.server().store.ClassId(item));
  info.total_size = MemcachedItemSize(item.key().size(), item.client_flags(), item.value_size(),
                                      worker_.config().use_cas);
  protocol::AppendMetaDebug(out, info);
}

}  // namespace ringcache::server
