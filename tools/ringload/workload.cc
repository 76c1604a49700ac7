#include "workload.h"

#include <algorithm>
#include <cstring>

namespace ringcache::ringload {
namespace {

using protocol::client::RequestComposer;

constexpr size_t kPoolSlack = 4096;  // values start at a random offset below this

}  // namespace

Workload::Workload(const Options& options, const KeySpace* keys, const KeySpace* counters,
                   const KetamaRing* ring, int thread_index, uint64_t seed)
    : options_(options),
      keys_(keys),
      counters_(counters),
      ring_(ring != nullptr && ring->servers() > 1 ? ring : nullptr),
      composer_(options.protocol),
      rng_(seed),
      // Sequential walks start at each thread's own share of the space.
      key_chooser_(options.distribution, keys->count(), options.zipf_exponent,
                   keys->count() / options.threads * thread_index),
      counter_chooser_(options.distribution, counters->count(), options.zipf_exponent,
                       counters->count() / options.threads * thread_index),
      // Versions unique across threads and runs: thread number above a
      // 40-bit counter that starts at the run's seed-derived offset.
      version_((uint64_t{static_cast<uint32_t>(thread_index) + 1} << 40) |
               (seed & ((uint64_t{1} << 39) - 1))) {
  const OpMix& m = options.mix;
  const uint32_t weights[kOpKinds] = {m.get, m.set, m.del, m.incr, m.touch};
  uint32_t sum = 0;
  for (size_t i = 0; i < kOpKinds; ++i) op_limits_[i] = sum += weights[i];

  const size_t key_size = keys->key_size();
  const size_t get_keys = static_cast<size_t>(options.multiget);
  max_request_ = std::max({RequestComposer::MaxGetSize(get_keys, get_keys * key_size),
                           RequestComposer::MaxStoreSize(key_size, options.value_max),
                           RequestComposer::MaxKeyCommandSize(key_size)});
  key_scratch_.resize(get_keys * key_size);
  key_views_.resize(get_keys);

  value_pool_.resize(options.value_max + kPoolSlack);
  for (char& c : value_pool_) c = static_cast<char>('!' + rng_.Below(94));
}

OpKind Workload::NextOp() {
  if (op_limits_[0] == op_limits_[kOpKinds - 1]) return OpKind::kGet;  // gets only
  const uint32_t r = static_cast<uint32_t>(rng_.Below(op_limits_[kOpKinds - 1]));
  size_t i = 0;
  while (r >= op_limits_[i]) ++i;
  return static_cast<OpKind>(i);
}

uint64_t Workload::NextKey(uint32_t server, const KeySpace& space, KeyChooser& chooser) {
  if (ring_ == nullptr) return chooser.Next(rng_);
  // Only the keys this connection's server owns. A server that owns almost
  // nothing of a tiny key space gets the last draw after a bounded search
  // rather than stalling the thread.
  char name[KeySpace::kMaxKeySize];
  uint64_t index = 0;
  for (size_t attempt = 0; attempt < 64 * ring_->servers(); ++attempt) {
    index = chooser.Next(rng_);
    space.Format(index, name);
    if (ring_->ServerOf(std::string_view(name, space.key_size())) == server) break;
  }
  return index;
}

size_t Workload::NextValueSize() {
  const size_t lo = options_.value_min;
  const size_t hi = options_.value_max;
  return lo == hi ? lo : lo + rng_.Below(hi - lo + 1);
}

char* Workload::ComposeSet(std::string_view key, size_t value_len, char* out) {
  char* value = composer_.BeginStore(key, 0, options_.ttl, value_len, out);
  if (options_.verify) {
    codec_.Fill(key, ++version_, value, value_len);
  } else {
    std::memcpy(value, value_pool_.data() + (rng_.Next() & (kPoolSlack - 1)), value_len);
  }
  return composer_.EndStore(value + value_len);
}

bool Workload::ComposeNext(Connection& c, int64_t start_ns) {
  if (RC_UNLIKELY(c.out_room() < max_request_)) return false;
  const OpKind op = NextOp();
  const size_t key_size = keys_->key_size();
  Pending p{start_ns, 0, op, false, 1};
  char* out = c.out_tail();
  char* key = key_scratch_.data();
  switch (op) {
    case OpKind::kGet: {
      const uint32_t n = static_cast<uint32_t>(options_.multiget);
      for (uint32_t i = 0; i < n; ++i) {
        const uint64_t index = NextKey(c.server(), *keys_, key_chooser_);
        if (i == 0) p.key = index;
        keys_->Format(index, key + i * key_size);
        key_views_[i] = std::string_view(key + i * key_size, key_size);
      }
      p.keys = n;
      out = composer_.Get(std::span(key_views_.data(), n), out);
      break;
    }
    case OpKind::kSet:
      p.key = NextKey(c.server(), *keys_, key_chooser_);
      keys_->Format(p.key, key);
      out = ComposeSet(std::string_view(key, key_size), NextValueSize(), out);
      break;
    case OpKind::kDelete:
      p.key = NextKey(c.server(), *keys_, key_chooser_);
      keys_->Format(p.key, key);
      out = composer_.Delete(std::string_view(key, key_size), out);
      break;
    case OpKind::kIncr:
      p.counter = true;
      p.key = NextKey(c.server(), *counters_, counter_chooser_);
      counters_->Format(p.key, key);
      out = composer_.Incr(std::string_view(key, key_size), 1, out);
      break;
    case OpKind::kTouch:
      p.key = NextKey(c.server(), *keys_, key_chooser_);
      keys_->Format(p.key, key);
      out = composer_.Touch(std::string_view(key, key_size), options_.ttl, out);
      break;
  }
  c.Commit(out);
  c.pending().Push(p);
  return true;
}

bool Workload::ComposePreload(Connection& c, bool counter, uint64_t index, int64_t start_ns) {
  if (c.out_room() < max_request_) return false;
  const KeySpace& space = counter ? *counters_ : *keys_;
  char* key = key_scratch_.data();
  space.Format(index, key);
  const std::string_view name(key, space.key_size());
  char* out = c.out_tail();
  if (counter) {
    char* value = composer_.BeginStore(name, 0, options_.ttl, 1, out);
    *value = '0';
    out = composer_.EndStore(value + 1);
  } else {
    out = ComposeSet(name, NextValueSize(), out);
  }
  c.Commit(out);
  c.pending().Push({start_ns, index, OpKind::kSet, counter, 1});
  return true;
}

VerifyResult Workload::CheckValue(const Pending& request,
                                  const protocol::client::Reply& reply) const {
  if (!reply.key.empty()) return codec_.Check(reply.key, reply.value);
  char name[KeySpace::kMaxKeySize];
  keys_->Format(request.key, name);
  return codec_.Check(std::string_view(name, keys_->key_size()), reply.value);
}

bool Workload::NamesRequestedKey(const Pending& request, std::string_view key) const {
  char name[KeySpace::kMaxKeySize];
  keys_->Format(request.key, name);
  return key == std::string_view(name, keys_->key_size());
}

}  // namespace ringcache::ringload
