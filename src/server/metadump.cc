// lru_crawler metadump: one line per live item, streamed. A piece of the
// walk is formatted whenever the connection's output has room (the io
// engine's writable notification), so a dump of millions of items holds
// little memory and goes as fast as the client reads. Commands sent after
// the dump wait until it ended, as in memcached.
#include <memory>

#include "connection.h"
#include "ringcache/protocol/stats_writer.h"
#include "ringcache/protocol/text_composer.h"

namespace ringcache::server {
namespace {

// Items formatted per piece: ~100 bytes each, about 100 KB per piece.
constexpr size_t kItemsPerPiece = 1024;

}  // namespace

void Connection::StartMetadump(io::Connection& conn, const protocol::TextRequest& req) {
  base::OutBuffer& out = conn.out();
  ServerContext& server = worker_.server();
  if (!server.store.crawler_enabled()) {
    protocol::AppendError(out, protocol::ProtocolError::kCrawlerDisabled);
    return;
  }
  if (!worker_.config().dump_enabled) {
    protocol::AppendError(out, protocol::ProtocolError::kMetadumpNotAllowed);
    return;
  }
  // memcached refuses when replies of earlier commands are still queued.
  if (!out.empty()) {
    protocol::AppendError(out, protocol::ProtocolError::kMetadumpPipelined);
    return;
  }
  if (req.deferred_error != protocol::ProtocolError::kNone) {
    protocol::AppendError(out, req.deferred_error);
    return;
  }
  // Over UDP memcached gives its crawler the datagram socket, whose writes
  // fail for want of an address: nothing arrives. (A dump here would also
  // hold every later datagram back, as no writable notification comes.)
  if (info_.transport == io::Transport::kUdp) return;
  metadump_ = std::make_unique<Metadump>();
  metadump_->classes = req.crawler.classes;
  ContinueMetadump(conn);
}

void Connection::OnWritable(io::Connection& conn) {
  if (metadump_ != nullptr) ContinueMetadump(conn);
}

void Connection::ContinueMetadump(io::Connection& conn) {
  base::OutBuffer& out = conn.out();
  ServerContext& server = worker_.server();
  const base::ProcessClock& clock = server.clock;
  const protocol::CrawlerClasses& classes = metadump_->classes;
  const bool every_class = classes.all || classes.hash;
  const bool cas = worker_.config().use_cas;
  const bool more =
      worker_.store().Walk(&metadump_->cursor, kItemsPerPiece, now(), [&](storage::ItemView item) {
        const int cls = server.store.ClassId(item);
        if (!every_class && (cls < 1 || cls > 63 || ((classes.ids >> cls) & 1) == 0)) return;
        protocol::MetadumpItem m;
        m.key = item.key();
        m.expiry_unix = item.exptime() == 0 ? -1 : clock.ToUnix(item.exptime());
        m.last_access_unix = static_cast<uint64_t>(clock.ToUnix(item.last_access()));
        m.cas = item.cas();
        m.fetched = item.fetched();
        m.size_class = static_cast<uint32_t>(cls);
        m.total_size =
            MemcachedItemSize(item.key().size(), item.client_flags(), item.value_size(), cas);
        protocol::AppendMetadumpItem(out, m);
      });
  if (more) {
    conn.WantWritable();
    return;
  }
  protocol::AppendEnd(out);
  metadump_.reset();
  conn.Flush();
}

}  // namespace ringcache::server
