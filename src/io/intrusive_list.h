// A minimal intrusive doubly linked list: the element embeds its links, so
// linking and unlinking allocate nothing and an element can leave the list in
// O(1) from anywhere (e.g. a connection closing while queued as ready).
//
// Threading: none; a list and its elements belong to one worker thread.
#pragma once

#include <cstddef>

namespace ringcache::io {

template <typename T>
struct ListLink {
  T* prev = nullptr;
  T* next = nullptr;
  bool linked = false;
};

// `T` holds a ListLink<T> member named by `Link`; an element is in at most one
// list per link member.
template <typename T, ListLink<T> T::*Link>
class IntrusiveList {
 public:
  IntrusiveList() = default;
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;

  bool empty() const { return head_ == nullptr; }
  size_t size() const { return size_; }
  T* Front() const { return head_; }
  static bool Contains(const T* item) { return (item->*Link).linked; }

  void PushBack(T* item) {
    ListLink<T>& l = item->*Link;
    l.prev = tail_;
    l.next = nullptr;
    l.linked = true;
    if (tail_ != nullptr) {
      (tail_->*Link).next = item;
    } else {
      head_ = item;
    }
    tail_ = item;
    ++size_;
  }

  void Remove(T* item) {
    ListLink<T>& l = item->*Link;
    if (l.prev != nullptr) {
      (l.prev->*Link).next = l.next;
    } else {
      head_ = l.next;
    }
    if (l.next != nullptr) {
      (l.next->*Link).prev = l.prev;
    } else {
      tail_ = l.prev;
    }
    l = ListLink<T>{};
    --size_;
  }

  T* PopFront() {
    T* item = head_;
    if (item != nullptr) Remove(item);
    return item;
  }

  // Moves every element to the end of `other`, leaving this list empty.
  void SpliceInto(IntrusiveList* other) {
    while (T* item = PopFront()) other->PushBack(item);
  }

 private:
  T* head_ = nullptr;
  T* tail_ = nullptr;
  size_t size_ = 0;
};

}  // namespace ringcache::io
