"""A minimal chat client over nginx: REST with urllib, sockets with the `websockets` library.

It behaves like the web client is meant to (docs/protocol.md): a new ticket for every connect,
`after=` the largest room message id it has seen, and it keeps every frame it receives so tests
can ask what arrived.
"""

import http.client
import json
import time
import uuid
from dataclasses import dataclass, field

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

PASSWORD = "correct horse battery staple"


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    header_names: list  # every header line's name, repeats included

    def count(self, name: str) -> int:
        return [n.lower() for n in self.header_names].count(name.lower())

    def json(self) -> dict:
        return json.loads(self.body)


def request(
    base_url: str,
    method: str,
    path: str,
    body=None,
    *,
    token: str | None = None,
    raw: bytes | None = None,
    source: str | None = None,
) -> Response:
    """One HTTP request; `source` picks the loopback address it comes from (per-IP limits)."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(
        host, int(port), timeout=10, source_address=(source, 0) if source else None
    )
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        pairs = response.getheaders()
        return Response(response.status, dict(pairs), response.read(), [n for n, _ in pairs])
    finally:
        connection.close()


@dataclass
class Person:
    """A user of the service, identified by username, who knows the service's address."""

    base_url: str
    ws_url: str
    username: str
    issued: list
    access: str = ""

    def sign_up(self) -> "Person":
        credentials = {"username": self.username, "password": PASSWORD}
        created = request(self.base_url, "POST", "/api/auth/register/", credentials)
        assert created.status == 201, created.body
        tokens = request(self.base_url, "POST", "/api/auth/token/", credentials)
        assert tokens.status == 200, tokens.body
        self.access = tokens.json()["access"]
        self.issued += [self.access, tokens.json()["refresh"]]
        return self

    def api(self, method: str, path: str, body=None) -> Response:
        return request(self.base_url, method, path, body, token=self.access)

    def create_room(self, name: str) -> None:
        assert self.api("POST", "/api/rooms/", {"name": name}).status in (200, 201)

    def ticket(self) -> str:
        response = self.api("POST", "/api/auth/ws-ticket/")
        assert response.status == 200, response.body
        ticket = response.json()["ticket"]
        self.issued.append(ticket)
        return ticket

    def socket_url(self, room: str, after: int | None = None) -> str:
        url = f"{self.ws_url}/ws/chat/{room}/?ticket={self.ticket()}"
        return url if after is None else f"{url}&after={after}"


@dataclass
class Tab:
    """One open socket of a person in a room, with every frame it has received."""

    person: Person
    room: str
    socket: ClientConnection
    frames: list = field(default_factory=list)
    read: int = 0  # frames[:read] were already returned by expect()

    @classmethod
    def open(cls, person: Person, room: str, url: str) -> "Tab":
        """Connects to `url` (from person.socket_url) and reads the user_list and history."""
        # legacy=True: the connection object itself; Tab owns its life, not a with block.
        socket = connect(url, open_timeout=10, close_timeout=2, legacy=True)
        tab = cls(person, room, socket)
        tab.expect("user_list")
        tab.expect("history")
        return tab

    def receive(self, timeout: float) -> dict | None:
        try:
            frame = json.loads(self.socket.recv(timeout=timeout))
        except TimeoutError:
            return None
        self.frames.append(frame)
        return frame

    def expect(self, type_: str, timeout: float = 5, **fields) -> dict:
        """The next unread frame of `type_` whose fields match, waiting up to `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            for index in range(self.read, len(self.frames)):
                frame = self.frames[index]
                if frame.get("type") == type_ and all(frame.get(k) == v for k, v in fields.items()):
                    self.read = index + 1
                    return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"{self.person.username} got no {type_} {fields} in {timeout}s; "
                    f"unread: {self.frames[self.read :]}"
                )
            self.receive(remaining)

    def quiet(self, type_: str, seconds: float, **fields) -> bool:
        """True if no frame of `type_` with these fields arrives within `seconds`."""
        try:
            self.expect(type_, seconds, **fields)
        except AssertionError:
            return True
        return False

    def skip_all(self, settle: float = 0.5) -> None:
        """Marks every frame read, after waiting until none has arrived for `settle` seconds."""
        while self.receive(settle) is not None:
            pass
        self.read = len(self.frames)

    def say(self, text: str, client_id: str | None = None) -> str:
        client_id = client_id or uuid.uuid4().hex
        frame = {"type": "chat_message", "message": text, "client_id": client_id}
        self.socket.send(json.dumps(frame))
        return client_id

    def whisper(self, to: str, text: str) -> None:
        self.socket.send(json.dumps({"type": "private_message", "to": to, "message": text}))

    def room_ids(self) -> list[int]:
        """Ids of every room message this tab received, live or in a history frame."""
        ids = []
        for frame in self.frames:
            if frame.get("type") == "chat_message":
                ids.append(frame["id"])
            elif frame.get("type") == "history":
                ids += [message["id"] for message in frame["messages"]]
        return ids

    def wait_closed(self, timeout: float) -> int | None:
        """Reads until the server side closes; returns the close code it sent (None: no frame)."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self.receive(max(0.01, deadline - time.monotonic()))
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        raise AssertionError(f"{self.person.username}'s socket still open after {timeout}s")

    def close(self) -> None:
        self.socket.close()


def room_messages(person: Person, room: str) -> list[dict]:
    """Every stored message of the room, oldest first, paged over REST."""
    messages, after = [], 0
    while True:
        page = person.api("GET", f"/api/rooms/{room}/messages/?after={after}&limit=100").json()
        messages += page["results"]
        if not page["has_more"]:
            return messages
        after = messages[-1]["id"]


def online(person: Person, room: str) -> list[str]:
    return sorted(person.api("GET", f"/api/rooms/{room}/").json()["online"])
