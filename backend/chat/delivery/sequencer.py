"""Puts a numbered stream back in order: the rule that makes a room's live delivery gap-free.

Room messages are numbered 1, 2, 3, ... in commit order (chat/store.py), but they reach a
process over pub/sub in publish order, which two senders can swap, and a publish can fail or a
publisher die between its commit and its publish. The sequencer releases items strictly by
number: early ones wait for the ones before them; a number that is known to exist but has not
arrived is a gap, which the topic fills from the database (``fill``). Duplicates (a repaired
item whose publish arrives late) are dropped. Pure logic, no I/O, so it is tested on its own.
"""

from typing import Generic, TypeVar

Item = TypeVar("Item")


class Sequencer(Generic[Item]):
    __slots__ = ("next", "early", "known")

    def __init__(self, last_seq: int) -> None:
        # The next number to release; everything below it was released (or skipped).
        self.next = last_seq + 1
        # Items that arrived before their turn.
        self.early: dict[int, Item] = {}
        # The largest number known to exist: arrived, or seen in the database.
        self.known = last_seq

    def add(self, seq: int, item: Item) -> list[Item]:
        """Called for every arrival; returns what may be delivered now, in order."""
        if seq < self.next or seq in self.early:
            return []
        self.known = max(self.known, seq)
        if seq > self.next:
            self.early[seq] = item
            return []
        released = [item]
        self.next += 1
        return self._release_early(released)

    def note_exists(self, seq: int) -> None:
        """Called when the database says the stream reached ``seq`` (a periodic check)."""
        self.known = max(self.known, seq)

    def missing(self) -> tuple[int, int] | None:
        """The first and last number of the gap to fill, or None when nothing is missing."""
        if self.next > self.known:
            return None
        last = min(self.early) - 1 if self.early else self.known
        return self.next, last

    def fill(self, found: dict[int, Item], through: int) -> list[Item]:
        """Called with what the database holds for a gap that ends at ``through``; numbers it
        does not hold were deleted since, and are skipped. Returns what may be delivered now."""
        released = []
        while self.next <= through:
            arrived = self.early.pop(self.next, None)
            item = found.get(self.next, arrived)
            if item is not None:
                released.append(item)
            self.next += 1
        return self._release_early(released)

    def _release_early(self, released: list[Item]) -> list[Item]:
        while self.next in self.early:
            released.append(self.early.pop(self.next))
            self.next += 1
        return released
