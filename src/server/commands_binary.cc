// memcached's binary protocol over the same store primitives as the text
// commands, with proto_bin.c's replies, status codes and counters. The
// protocol layer's binary composer applies the quiet-command rules.
//
// SASL (-S) is a later step: without it memcached answers the SASL opcodes
// "Unknown command", as done here.
#include <string>

#include "connection.h"
#include "ringcache/protocol/binary_composer.h"
#include "ringcache/server/config_stats.h"
#include "ringcache/server/version.h"
#include "stats_report.h"

namespace ringcache::server {

namespace bin = protocol::binary;
using bin::Opcode;
using bin::Status;

void Connection::DispatchBinary(io::Connection& conn, const bin::Request& req) {
  base::OutBuffer& out = conn.out();
  switch (req.command) {
    case Opcode::kGet:
    case Opcode::kGetK:
    case Opcode::kTouch:
    case Opcode::kGat:
    case Opcode::kGatK:
      BinaryGet(out, req);
      return;
    case Opcode::kSet:
    case Opcode::kAdd:
    case Opcode::kReplace:
    case Opcode::kAppend:
    case Opcode::kPrepend:
      BinaryStore(out, req);
      return;
    case Opcode::kDelete:
      BinaryDelete(out, req);
      return;
    case Opcode::kIncrement:
    case Opcode::kDecrement:
      BinaryArithmetic(out, req);
      return;
    case Opcode::kFlush:
      BinaryFlush(out, req);
      return;
    case Opcode::kNoop:
      bin::AppendSuccess(out, req, 0);
      return;
    case Opcode::kVersion:
      bin::AppendVersion(out, req, kMemcachedVersion);
      return;
    case Opcode::kStat:
      BinaryStats(out, req);
      return;
    case Opcode::kQuit:
      bin::AppendSuccess(out, req, 0);
      SetState(ConnState::kClosing);
      conn.CloseAfterFlush();
      return;
    default:
      // SASL opcodes without -S, as memcached answers them; the mechanism
      // data that follows is skipped.
      bin::AppendError(out, req, Status::kUnknownCommand);
      if (req.value_bytes != 0) BeginSwallow(req.value_bytes);
      return;
  }
}

void Connection::BinaryGet(base::OutBuffer& out, const bin::Request& req) {
  const bool touch =
      req.command == Opcode::kTouch || req.command == Opcode::kGat || req.command == Opcode::kGatK;
  storage::GetOptions options;
  if (touch) {
    options.touch = true;
    options.new_exptime = Expiry(static_cast<int32_t>(req.exptime));
  }
  const storage::GetResult r = worker_.store().Get(req.key, now(), options);
  CountFetch(req.key, r.item, touch);
  worker_.server().prefix_stats.RecordGet(req.key, static_cast<bool>(r.item));
  if (!r.item) {
    bin::AppendGetMiss(out, req);
    return;
  }
  const storage::ItemView item = r.item;
  const bool with_value = req.command != Opcode::kTouch;
  bin::AppendGetHit(out, req, item.client_flags(),
                    with_value ? static_cast<uint32_t>(item.value_size()) : 0, item.cas());
  if (!with_value) return;
  const storage::ItemView::ValueParts v = item.value();
  if (item.pinnable()) {
    if (storage::ItemPin pin = worker_.store().Pin(item)) {
      if (!v.second.empty()) out.AppendRef(v.first, base::OutRef{});
      out.AppendRef(v.second.empty() ? v.first : v.second, std::move(pin).ToOutRef());
      return;
    }
  }
  out.Append(v.first);
  out.Append(v.second);
}

void Connection::BinaryStore(base::OutBuffer& out, const bin::Request& req) {
  storage::StoreMode mode = storage::StoreMode::kSet;
  switch (req.command) {
    case Opcode::kAdd:
      mode = storage::StoreMode::kAdd;
      break;
    case Opcode::kReplace:
      mode = storage::StoreMode::kReplace;
      break;
    case Opcode::kAppend:
      mode = storage::StoreMode::kAppend;
      break;
    case Opcode::kPrepend:
      mode = storage::StoreMode::kPrepend;
      break;
    default:
      break;
  }
  // memcached: a set/add/replace carrying a CAS is a compare-and-swap.
  const bool has_flags =
      mode != storage::StoreMode::kAppend && mode != storage::StoreMode::kPrepend;
  if (req.header.cas != 0 && has_flags) mode = storage::StoreMode::kCas;
  worker_.server().prefix_stats.RecordSet(req.key);
  storage::AllocOptions options;
  options.unlink_on_failure = req.command == Opcode::kSet;
  const storage::AllocResult a =
      worker_.store().Allocate(req.key, has_flags ? req.client_flags : 0,
                               has_flags ? Expiry(static_cast<int32_t>(req.exptime)) : 0,
                               req.value_bytes, now(), &item_, options);
  if (a != storage::AllocResult::kOk) {
    LogStoreFailure(req.key, a, mode, Expiry(static_cast<int32_t>(req.exptime)), req.value_bytes);
    if (a == storage::AllocResult::kTooLarge) {
      worker_.stats().store_too_large.Add();
      bin::AppendError(out, req, Status::kTooLarge);
    } else {
      worker_.stats().store_no_memory.Add();
      bin::AppendError(out, req, Status::kOutOfMemory);
    }
    BeginSwallow(req.value_bytes);
    return;
  }
  pending_.mode = mode;
  pending_.compare_cas = req.header.cas;
  pending_.meta = false;
  pending_.binary = true;
  pending_.binary_req = req;
  pending_.binary_req.key = {};
  pending_.binary_req.extras = {};
  BeginValue(req.value_bytes);
}

void Connection::FinishBinaryStore(base::OutBuffer& out) {
  const bin::Request& req = pending_.binary_req;
  storage::StoreOptions options;
  options.mode = pending_.mode;
  options.compare_cas = pending_.compare_cas;
  uint64_t cas = 0;
  const std::string_view key = WatchKey();
  const storage::StoreResult r = worker_.store().Store(std::move(item_), options, now(), &cas);
  if (RC_UNLIKELY(!key.empty())) LogStore(key, r, pending_.mode);
  switch (r) {
    case storage::StoreResult::kStored:
      bin::AppendSuccess(out, req, cas);
      return;
    case storage::StoreResult::kExists:
      bin::AppendError(out, req, Status::kKeyExists);
      return;
    case storage::StoreResult::kNotFound:
      if (pending_.mode == storage::StoreMode::kCas) worker_.stats().cas_misses.Add();
      bin::AppendError(out, req, Status::kKeyNotFound);
      return;
    case storage::StoreResult::kNotStored:
      // memcached's binary add reports "exists", replace "not found".
      bin::AppendError(out, req,
                       pending_.mode == storage::StoreMode::kAdd       ? Status::kKeyExists
                       : pending_.mode == storage::StoreMode::kReplace ? Status::kKeyNotFound
                                                                       : Status::kNotStored);
      return;
  }
}

void Connection::BinaryDelete(base::OutBuffer& out, const bin::Request& req) {
  worker_.server().prefix_stats.RecordDelete(req.key);
  storage::DeleteOptions options;
  options.compare_cas = req.header.cas;
  switch (worker_.store().Delete(req.key, options, now())) {
    case storage::DeleteResult::kDeleted:
      bin::AppendSuccess(out, req, 0);
      return;
    case storage::DeleteResult::kExists:
      bin::AppendError(out, req, Status::kKeyExists);
      return;
    case storage::DeleteResult::kNotFound:
      worker_.stats().delete_misses.Add();
      bin::AppendError(out, req, Status::kKeyNotFound);
      return;
  }
}

void Connection::BinaryArithmetic(base::OutBuffer& out, const bin::Request& req) {
  const bool incr = req.command == Opcode::kIncrement;
  storage::ArithOptions options;
  options.incr = incr;
  options.delta = req.delta;
  options.compare_cas = req.header.cas;
  if (req.create_on_miss()) {
    options.vivify = true;
    options.initial = req.initial;
    options.vivify_exptime = Expiry(static_cast<int32_t>(req.exptime));
  }
  const storage::ArithOutcome r = worker_.store().Arith(req.key, options, now());
  switch (r.result) {
    case storage::ArithResult::kOk:
      bin::AppendCounter(out, req, r.value, r.cas);
      return;
    case storage::ArithResult::kNotFound:
      (incr ? worker_.stats().incr_misses : worker_.stats().decr_misses).Add();
      bin::AppendError(out, req, Status::kKeyNotFound);
      return;
    case storage::ArithResult::kExists:
      bin::AppendError(out, req, Status::kKeyExists);
      return;
    case storage::ArithResult::kNonNumeric:
      bin::AppendError(out, req, Status::kDeltaBadValue);
      return;
    case storage::ArithResult::kOutOfMemory:
      bin::AppendError(out, req, Status::kOutOfMemory);
      return;
  }
}

void Connection::BinaryFlush(base::OutBuffer& out, const bin::Request& req) {
  if (!worker_.config().flush_enabled) {
    // memcached answers a disabled flush with an auth error.
    bin::AppendError(out, req, Status::kAuthError);
    return;
  }
  const int32_t delay = req.has_exptime ? static_cast<int32_t>(req.exptime) : 0;
  const base::RelTime when = delay > 0 ? Expiry(delay) : now();
  worker_.server().store.FlushAll(when, now());
  worker_.stats().flush_cmds.Add();
  bin::AppendSuccess(out, req, 0);
}

void Connection::BinaryStats(base::OutBuffer& out, const bin::Request& req) {
  ServerContext& server = worker_.server();
  StatsReport report(server);
  const std::string_view sub = req.key;
  const auto emit = [&](std::string_view name, std::string_view value) {
    bin::AppendStat(out, req, name, value);
  };
  if (sub.empty()) {
    report.Visit(report.General(now()), emit);
  } else if (sub.substr(0, 5) == "reset") {
    report.Reset(now());
    server.prefix_stats.Clear();
  } else if (sub.substr(0, 8) == "settings") {
    Config live = worker_.config();
    live.verbosity = server.logger.verbosity();
    live.detail_enabled = server.prefix_stats.enabled();
    storage::StoreStats ss;
    server.store.CollectStats(&ss);
    for (const SettingStat& s : SettingsStats(live, ss.oldest_live)) emit(s.name, s.value);
  } else if (sub == "items") {
    report.Visit(report.Items(now()), emit);
  } else if (sub == "slabs") {
    report.Visit(report.Slabs(now()), emit);
  } else if (sub.substr(0, 6) == "detail") {
    const std::string_view arg = sub.substr(6);
    if (arg.substr(0, 3) == " on") {
      server.prefix_stats.set_enabled(true);
    } else if (arg.substr(0, 4) == " off") {
      server.prefix_stats.set_enabled(false);
    } else if (arg.substr(0, 5) == " dump") {
      base::BlockPool pool(4096);
      base::OutBuffer dump(&pool);
      server.prefix_stats.Dump(dump);
      std::string text;
      dump.CopyTo(&text);
      // memcached sends the dump text, END included, as one "detailed" stat.
      emit("detailed", text);
    } else {
      bin::AppendError(out, req, Status::kKeyNotFound);
      return;
    }
  } else {
    bin::AppendError(out, req, Status::kKeyNotFound);
    return;
  }
  bin::AppendStatsEnd(out, req);
}

}  // namespace ringcache::server
