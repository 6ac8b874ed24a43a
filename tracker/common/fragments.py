"""Rendered HTML kept per web process for lists read from stored rows (the overdue list).

A fragment is only ever served under the key it was rendered for, and every key carries the data
version (the newest audit event id the stored rows reflect): a change anywhere makes a new key, so
nothing stale is served and no process has to be told. It is a cache in the plain sense: losing it
(a restart, another web host) costs one rendering."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable


class FragmentCache:
    """A small least-recently-used map, safe for threaded workers."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], object]):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = render()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
