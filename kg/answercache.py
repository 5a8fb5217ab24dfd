"""Answers kept per store version: the same query on the same version of the embedded store is answered
once. A rebuild or an update publishes a new version (kg.store), so no answer outlives its data.

Bounded by bytes, least recently used first out. Only repeatable queries are kept (kg.querytext):
SERVICE reads data that changes elsewhere, and RAND(), NOW() and their kin change by themselves.
"""
import threading
from collections import OrderedDict

from kg.executor import Answer, QueryRequest
from kg.querytext import is_repeatable


class AnswerCache:
    """An LRU map from (store version, request) to answer, shared by the threads of a process."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def wanted(req: QueryRequest) -> bool:
        return is_repeatable(req.query)

    def get(self, version: str, req: QueryRequest) -> Answer | None:
        with self._lock:
            answer = self._entries.get((version, req))
            if answer is not None:
                self._entries.move_to_end((version, req))
            return answer

    def put(self, version: str, req: QueryRequest, answer: Answer) -> None:
        """Keep the answer unless it would take more than a quarter of the cache on its own (so one
        report cannot push out everything else)."""
        size = len(answer.body) + len(req.query)
        if size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop((version, req), None)
            if old is not None:
                self._bytes -= len(old.body) + len(req.query)
            self._entries[(version, req)] = answer
            self._bytes += size
            while self._bytes > self.max_bytes:
                (_, key_req), dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body) + len(key_req.query)

    def __len__(self) -> int:
        return len(self._entries)
