#include "conn.h"

#include "worker.h"

namespace ringcache::io {

void Conn::CloseAfterFlush() {
  close_after_flush_ = true;
  worker_->MarkDirty(this);
}

void Conn::CloseNow() {
  close_now_ = true;
  worker_->MarkDirty(this);
}

void Conn::Flush() { worker_->MarkDirty(this); }

void Conn::WantWritable() {
  want_writable_ = true;
  worker_->MarkDirty(this);
}

}  // namespace ringcache::io
