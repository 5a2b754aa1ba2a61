"""uvicorn (httptools, websockets' sans-I/O protocol, uvloop) with our shutdown and access log.

uvicorn's own shutdown already does what ours must: it stops listening, closes every WebSocket
with 1012 and waits up to timeout_graceful_shutdown for connections and application tasks. Two
things differ: its signal handlers re-raise the signal once the drain is over (the process then
dies of SIGTERM instead of exiting 0), and only a second SIGINT cuts the drain short.
"""

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from types import FrameType
from typing import Any

import uvicorn

from config.servers import ServerOptions
from config.servers.uvicorn_websocket import LeanWebSocketProtocol

logger = logging.getLogger("config.server")

# The largest frame a client may send, in bytes: the app accepts 64 Ki characters, and UTF-8
# takes up to 4 bytes for one.
WS_MAX_SIZE = 256 * 1024
# daphne's values: a ping every 20 s, and a socket whose pong is 30 s late is dropped.
WS_PING_INTERVAL = 20.0
WS_PING_TIMEOUT = 30.0
SIGNALS = (signal.SIGTERM, signal.SIGINT)


class QueryFreeLog(logging.Filter):
    """Cuts the query string from the request paths in uvicorn's access and WebSocket lines.

    uvicorn logs HTTP requests on `uvicorn.access` and WebSocket handshakes on `uvicorn.error`
    (`'%s - "WebSocket %s" [accepted]'`, then 403 or the status of an HTTP response instead),
    each with a path argument that carries the query string, where browsers' tickets travel.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if self.names_a_request(record) and isinstance(record.args, tuple):
            record.args = tuple(cut_query(arg) for arg in record.args)
        return True

    @staticmethod
    def names_a_request(record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access":
            return True
        message = record.msg if isinstance(record.msg, str) else ""
        # The last is websockets' own request line, logged on uvicorn.error at DEBUG.
        return '"WebSocket %s"' in message or message == "< %s %s %s"


def cut_query(arg: object) -> object:
    # uvicorn percent-quotes the path, so its first "?" is where the query begins; the other
    # arguments (client address, method, HTTP version, status) never hold one.
    return arg.split("?", 1)[0] if isinstance(arg, str) else arg


class GracefulServer(uvicorn.Server):
    """uvicorn's Server whose drain ends with exit 0 and whose second signal stops at once."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Replaces uvicorn's, which re-raises the signal after the drain. Through the loop, as
        # for daphne: a signal can land on a sync-to-async worker thread.
        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            loop.add_signal_handler(signum, self.handle_exit, signum, None)
        try:
            yield
        finally:
            for signum in SIGNALS:
                loop.remove_signal_handler(signum)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Called on a signal: the first starts the drain, the next ends it."""
        name = signal.Signals(sig).name
        if self.should_exit:
            logger.warning("%s again: stopping without waiting", name)
            self.force_exit = True
            return
        logger.info(
            "%s: draining %d connection(s), grace %.1fs",
            name,
            len(self.server_state.connections),
            self.config.timeout_graceful_shutdown,
        )
        self.should_exit = True


def build_config(application: Any, options: ServerOptions) -> uvicorn.Config:
    return uvicorn.Config(
        application,
        host=options.bind,
        port=options.port,
        loop="uvloop",
        http="httptools",
        ws=LeanWebSocketProtocol,
        interface="asgi3",
        lifespan="off",
        # Deflate compresses each frame again for every socket, which a broadcast cannot afford.
        ws_per_message_deflate=False,
        ws_max_size=WS_MAX_SIZE,
        ws_ping_interval=WS_PING_INTERVAL,
        ws_ping_timeout=WS_PING_TIMEOUT,
        # Like daphne's: trust the headers from whoever connects. PROXY_HEADERS is only true
        # behind nginx, which overwrites X-Forwarded-For, and nothing else reaches the replicas.
        proxy_headers=options.proxy_headers,
        forwarded_allow_ips="*",
        timeout_graceful_shutdown=options.shutdown_grace,
        # `Server: uvicorn`, as daphne names itself: the benchmark reads it to tell which ran.
        server_header=True,
        date_header=True,
        # Our logging.basicConfig, not uvicorn's handlers; the level is the root logger's.
        log_config=None,
        log_level=logging.getLogger().getEffectiveLevel(),
    )


def serve(application: Any, options: ServerOptions) -> int:
    """Runs uvicorn until the drain is over; uvicorn exits 3 itself if it cannot listen."""
    query_free = QueryFreeLog()
    for name in ("uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).addFilter(query_free)
    GracefulServer(build_config(application, options)).run()
    return 0
