// What a connection reports to `watch` streams: fetches, stores and
// connection events, formatted as memcached 1.6.18's logger formats them.
// Every entry point first asks the hub whether anyone watches the category,
// so the common case costs one relaxed load.
#include <arpa/inet.h>
#include <netinet/in.h>

#include "connection.h"
#include "ringcache/protocol/text_composer.h"
#include "ringcache/protocol/text_request.h"

namespace ringcache::server {
namespace {

using protocol::WatchStoreCommand;
using protocol::WatchStoreStatus;

WatchStoreCommand ToWatchCommand(storage::StoreMode mode) {
  switch (mode) {
    case storage::StoreMode::kSet:
      return WatchStoreCommand::kSet;
    case storage::StoreMode::kAdd:
      return WatchStoreCommand::kAdd;
    case storage::StoreMode::kReplace:
      return WatchStoreCommand::kReplace;
    case storage::StoreMode::kAppend:
      return WatchStoreCommand::kAppend;
    case storage::StoreMode::kPrepend:
      return WatchStoreCommand::kPrepend;
    case storage::StoreMode::kCas:
      return WatchStoreCommand::kCas;
  }
  return WatchStoreCommand::kNull;
}

WatchStoreStatus ToWatchStatus(storage::StoreResult r) {
  switch (r) {
    case storage::StoreResult::kStored:
      return WatchStoreStatus::kStored;
    case storage::StoreResult::kNotStored:
      return WatchStoreStatus::kNotStored;
    case storage::StoreResult::kExists:
      return WatchStoreStatus::kExists;
    case storage::StoreResult::kNotFound:
      return WatchStoreStatus::kNotFound;
  }
  return WatchStoreStatus::kNotStored;
}

}  // namespace

void Connection::StartWatch(io::Connection& conn, const protocol::TextRequest& req) {
  const Config& config = worker_.config();
  base::OutBuffer& out = conn.out();
  if (!config.watch_enabled) {
    if (!req.noreply) protocol::AppendError(out, protocol::ProtocolError::kWatchNotAllowed);
    return;
  }
  // memcached refuses when replies of earlier commands are still queued.
  if (!out.empty()) {
    if (!req.noreply) protocol::AppendError(out, protocol::ProtocolError::kWatchPipelined);
    return;
  }
  if (req.deferred_error != protocol::ProtocolError::kNone) {
    if (!req.noreply) protocol::AppendError(out, req.deferred_error);
    return;
  }
  // Over UDP memcached gives the watcher the datagram socket; its first
  // write (the OK) fails and the watcher is dropped: nothing arrives. (A
  // watcher here would swallow every later datagram of this worker.)
  if (info_.transport == io::Transport::kUdp) return;
  watcher_ = worker_.server().watch.Add(&conn, worker_.index(), req.watch_mask,
                                        config.watcher_logbuf_size);
  if (!req.noreply) protocol::AppendReply(out, protocol::TextReply::kOk);
}

void Connection::PublishFetch(std::string_view key, storage::ItemView item) {
  WatchHub& hub = worker_.server().watch;
  const uint32_t cls = item ? static_cast<uint32_t>(worker_.server().store.ClassId(item)) : 0;
  const uint32_t bytes = item ? static_cast<uint32_t>(item.value_size()) : 0;
  const auto status = item ? protocol::WatchGetStatus::kFound : protocol::WatchGetStatus::kNotFound;
  hub.Publish(protocol::kWatchFetchers, worker_.scratch(),
              [&](base::OutBuffer& out, const protocol::WatchStamp& stamp) {
                protocol::AppendWatchItemGet(out, stamp, key, status, cls, info_.fd, bytes);
              });
}

void Connection::LogStoreLookup(std::string_view key) {
  if (RC_LIKELY(!worker_.server().watch.Active(protocol::kWatchFetchers))) return;
  storage::GetOptions options;
  options.bump = false;
  LogFetch(key, worker_.store().Get(key, now(), options).item);
}

std::string_view Connection::CopyWatchedKey() {
  watch_key_.assign(item_.key());
  LogStoreLookup(watch_key_);
  return watch_key_;
}

void Connection::LogStore(std::string_view key, storage::StoreResult result,
                          storage::StoreMode mode) {
  WatchHub& hub = worker_.server().watch;
  if (RC_LIKELY(!hub.Active(protocol::kWatchMutations))) return;
  storage::GetOptions options;
  options.bump = false;
  const storage::ItemView item = worker_.store().Get(key, now(), options).item;
  const uint32_t cls = item ? static_cast<uint32_t>(worker_.server().store.ClassId(item)) : 0;
  const uint32_t bytes = item ? static_cast<uint32_t>(item.value_size()) : 0;
  const uint32_t ttl = item && item.exptime() != 0 ? item.exptime() - now() : 0;
  hub.Publish(protocol::kWatchMutations, worker_.scratch(),
              [&](base::OutBuffer& out, const protocol::WatchStamp& stamp) {
                protocol::AppendWatchItemStore(out, stamp, key, ToWatchStatus(result),
                                               ToWatchCommand(mode), ttl, cls, info_.fd, bytes);
              });
}

void Connection::LogStoreFailure(std::string_view key, storage::AllocResult result,
                                 storage::StoreMode mode, base::RelTime exptime,
                                 size_t value_bytes) {
  WatchHub& hub = worker_.server().watch;
  if (RC_LIKELY(!hub.Active(protocol::kWatchMutations))) return;
  const auto status = result == storage::AllocResult::kTooLarge ? WatchStoreStatus::kTooLarge
                                                                : WatchStoreStatus::kNoMemory;
  const uint32_t ttl = exptime != 0 ? exptime - now() : 0;
  hub.Publish(protocol::kWatchMutations, worker_.scratch(),
              [&](base::OutBuffer& out, const protocol::WatchStamp& stamp) {
                protocol::AppendWatchItemStore(out, stamp, key, status, ToWatchCommand(mode), ttl,
                                               0, info_.fd, static_cast<uint32_t>(value_bytes));
              });
}

void Connection::LogConnection(bool open) {
  WatchHub& hub = worker_.server().watch;
  if (RC_LIKELY(!hub.Active(protocol::kWatchConnEvents))) return;
  if (info_.transport == io::Transport::kUdp) return;
  char text[INET6_ADDRSTRLEN] = "unix";
  uint16_t port = 0;
  auto transport = protocol::WatchTransport::kLocal;
  if (info_.peer.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(info_.peer);
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof(text));
    port = ntohs(a.sin_port);
    transport = protocol::WatchTransport::kTcp;
  } else if (info_.peer.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(info_.peer);
    inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof(text));
    port = ntohs(a.sin6_port);
    transport = protocol::WatchTransport::kTcp;
  }
  hub.Publish(protocol::kWatchConnEvents, worker_.scratch(),
              [&](base::OutBuffer& out, const protocol::WatchStamp& stamp) {
                if (open) {
                  protocol::AppendWatchConnNew(out, stamp, text, port, transport, info_.fd);
                } else {
                  protocol::AppendWatchConnClose(out, stamp, text, port, transport, close_reason_,
                                                 info_.fd);
                }
              });
}

}  // namespace ringcache::server
