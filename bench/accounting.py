"""Exact loss per socket: what its room stored after it joined, against what it received.

For every socket, expected = the ids stored in its room above the last id of its first
history frame (the server promises live delivery from there on, with no gap and nothing twice);
received = the distinct ids it got live, plus, after a resume, what the resumed history and the
REST pages brought. The authoritative list is read after the load has drained, so a message the
server stored late is still expected. Nothing here trusts the server's own account.
"""

import bisect
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Protocol

import psycopg

from bench import rest
from bench.client import ChatSocket
from bench.seed import Seed

LOST_LISTED = 20


class MessageLog(Protocol):
    def room_ids(self, room: str, *, after: int) -> list[int]:
        """Ids of the room's stored messages above ``after``, ascending."""


class DatabaseLog:
    """The scratch database our app writes to, read with its own table names (from the seed)."""

    def __init__(self, database_url: str, seed: Seed) -> None:
        self.database_url = database_url
        self.query = (
            f'SELECT m.id FROM "{seed.message_table}" m JOIN "{seed.room_table}" r '
            f'ON m."{seed.message_room_column}" = r.id WHERE r.name = %s AND m.id > %s '
            "ORDER BY m.id"
        )

    def room_ids(self, room: str, *, after: int) -> list[int]:
        with psycopg.connect(self.database_url) as conn:
            return [row[0] for row in conn.execute(self.query, (room, after))]


class BareAppLog:
    """The bare app stores nothing; its rooms number messages 1, 2, 3... and say the last."""

    def __init__(self, http: str) -> None:
        self.http = http

    def room_ids(self, room: str, *, after: int) -> list[int]:
        last = rest.get_json(f"{self.http}/bench/rooms/{room}/")["last_id"]
        return list(range(after + 1, last + 1))


@dataclass
class Loss:
    sockets: int = 0
    joined: int = 0
    join_failures: dict[str, int] = field(default_factory=dict)
    stored: int = 0
    expected: int = 0
    received: int = 0
    missing_total: int = 0
    missing_max: int = 0
    sockets_with_loss: int = 0
    # Missing messages on a socket the server never closed: nobody was told.
    silent_loss_sockets: int = 0
    duplicates: int = 0
    unexpected: int = 0
    closed_by_server: dict[str, int] = field(default_factory=dict)
    resumed_sockets: int = 0
    resumes: int = 0
    rest_pages: int = 0
    client_drops: int = 0
    error_frames: int = 0
    # Sockets whose reader failed inside the bench: the measurement itself is broken.
    client_errors: int = 0
    lost: list[dict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Every socket joined and has every message, and none was closed or refused a send."""
        return (
            self.joined == self.sockets
            and self.missing_total == 0
            and self.duplicates == 0
            and self.unexpected == 0
            and not self.closed_by_server
            and self.error_frames == 0
            and self.client_errors == 0
        )

    def as_dict(self) -> dict:
        return asdict(self) | {"clean": self.clean}


def account(sockets: list[ChatSocket], log: MessageLog) -> Loss:
    loss = Loss(sockets=len(sockets))
    stored = _stored_by_room(sockets, log)
    failures: Counter = Counter()
    closes: Counter = Counter()
    for sock in sockets:
        if not sock.joined:
            failures[sock.join_error or "unknown"] += 1
            continue
        _account_socket(loss, sock, stored[sock.room], closes)
    loss.join_failures = dict(failures)
    loss.closed_by_server = {str(code): count for code, count in sorted(closes.items())}
    loss.stored = sum(len(ids) for ids in stored.values())
    return loss


def _stored_by_room(sockets: list[ChatSocket], log: MessageLog) -> dict[str, list[int]]:
    lowest: dict[str, int] = {}
    for sock in sockets:
        if sock.joined:
            lowest[sock.room] = min(lowest.get(sock.room, sock.boundary), sock.boundary)
    return {room: log.room_ids(room, after=after) for room, after in lowest.items()}


def _account_socket(loss: Loss, sock: ChatSocket, room_ids: list[int], closes: Counter) -> None:
    expected = set(room_ids[bisect.bisect_right(room_ids, sock.boundary) :])
    live = set(sock.live_ids)
    received = live | sock.recovered_ids
    missing = len(expected - received)
    loss.joined += 1
    loss.expected += len(expected)
    loss.received += len(received & expected)
    loss.duplicates += len(sock.live_ids) - len(live)
    loss.unexpected += len(live - expected)
    loss.missing_total += missing
    loss.missing_max = max(loss.missing_max, missing)
    loss.resumes += sock.resumes
    loss.resumed_sockets += sock.resumes > 0
    loss.rest_pages += sock.rest_pages
    loss.client_drops += sock.client_drops
    loss.error_frames += sock.error_count
    loss.client_errors += sock.client_error is not None
    for code, _ in sock.server_closes:
        closes[code] += 1
    if missing:
        loss.sockets_with_loss += 1
        loss.silent_loss_sockets += not sock.server_closes
        if len(loss.lost) < LOST_LISTED:
            loss.lost.append(
                {
                    "user": sock.user.username,
                    "room": sock.room,
                    "missing": missing,
                    "server_closes": [code for code, _ in sock.server_closes],
                    "resumes": sock.resumes,
                    "resume_error": sock.resume_error,
                    "client_error": sock.client_error,
                }
            )
