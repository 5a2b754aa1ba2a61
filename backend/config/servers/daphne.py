"""daphne, with a drain-then-stop shutdown, backpressure on sends and a query-free access log."""

# daphne.server installs Twisted's asyncio reactor on import; it has to come before anything
# that imports the reactor, which Django's and Channels' imports may do. config/server.py
# imports this module before it loads the application.
import daphne.server  # isort:skip

import logging
import signal
import sys
import time
from typing import Any

from daphne.access import AccessLogGenerator
from daphne.endpoints import build_endpoint_description_strings
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import reactor

from config.servers import ServerOptions
from config.servers.backpressure import SendGate

logger = logging.getLogger("config.server")

SERVICE_RESTART = 1012
POLL_INTERVAL = 0.05
# How long a server-initiated close waits for the client's reply before the connection is
# dropped. autobahn's default, 1 s, is too short for a client still reading a backlog: the
# drop (a TCP reset) discards the close frame and its code (4409 "resume") with it. uvicorn
# waits 10 s too.
CLOSE_HANDSHAKE_TIMEOUT = 10


class QueryFreeAccessLog(AccessLogGenerator):
    """daphne's access log without query strings: browsers' WebSocket tickets travel in them."""

    def __call__(self, protocol: str, action: str, details: dict) -> None:
        path = details.get("path")
        if isinstance(path, (str, bytes)):
            separator = "?" if isinstance(path, str) else b"?"
            details = {**details, "path": path.split(separator, 1)[0]}
        super().__call__(protocol, action, details)


class GracefulServer(daphne.server.Server):
    """daphne's Server with a drain-then-stop shutdown instead of an immediate reactor stop."""

    def __init__(self, *args: Any, shutdown_grace: float, **kwargs: Any) -> None:
        # daphne would install Twisted's handlers, which stop the reactor at once.
        super().__init__(*args, signal_handlers=False, **kwargs)
        self.shutdown_grace = shutdown_grace
        self.ports: list = []
        self.draining_since: float | None = None
        self.listen_failed = False
        self.stopping = False

    def listen_success(self, port: Any) -> None:
        """Called when a listen succeeds; keeps the port so shutdown can stop listening."""
        self.ports.append(port)
        # The factory exists from here on, before any connection copies its options.
        self.ws_factory.setProtocolOptions(closeHandshakeTimeout=CLOSE_HANDSHAKE_TIMEOUT)
        super().listen_success(port)

    def listen_error(self, failure: Any) -> None:
        """Called when a listen fails (port taken); daphne would then exit 0."""
        self.listen_failed = True
        super().listen_error(failure)

    def stop(self) -> None:
        """Stops the reactor once; the drain, the backstop and a second signal may all ask."""
        if not self.stopping:
            self.stopping = True
            super().stop()

    def run(self) -> None:
        # Through the event loop rather than signal.signal: a signal can land on one of the
        # sync-to-async worker threads, and only the loop's wakeup fd gets the handler run at once.
        loop = reactor._asyncioEventloop
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.begin_shutdown, signal.Signals(signum).name)
        super().run()

    async def handle_reply(self, protocol: Any, message: dict) -> None:
        """Called for every message an application sends; a WebSocket frame waits for room."""
        if message.get("type") == "websocket.send":
            gate = self.send_gate(protocol)
            if gate is not None:
                await gate.wait()
        await super().handle_reply(protocol, message)

    def send_gate(self, protocol: Any) -> SendGate | None:
        """The connection's gate, registered on its first frame; None once it is gone."""
        details = self.connections.get(protocol)
        if details is None or "disconnected" in details:
            return None
        if "send_gate" not in details:
            details["send_gate"] = SendGate.register(protocol.transport)
        return details["send_gate"]

    def protocol_disconnected(self, protocol: Any) -> None:
        """Called when a connection closes; a send still waiting for room returns."""
        super().protocol_disconnected(protocol)
        # The transport's stopProducing() normally got there first; this does not rely on it.
        gate = self.connections[protocol].get("send_gate")
        if gate is not None:
            gate.release()

    def begin_shutdown(self, reason: str) -> None:
        """Called on the first signal to drain; a second signal stops at once."""
        if self.draining_since is not None:
            logger.warning("%s again: stopping without waiting", reason)
            self.stop()
            return
        self.draining_since = time.monotonic()
        logger.info(
            "%s: draining %d connection(s), grace %.1fs",
            reason,
            len(self.pending_connections()),
            self.shutdown_grace,
        )
        for port in self.ports:
            port.stopListening()
        # The drain loop stops the server itself; this is the backstop should it ever raise.
        reactor.callLater(self.shutdown_grace + 1, self.stop)
        self.drain()

    def drain(self) -> None:
        """Called every POLL_INTERVAL while draining, until nothing is left or grace ran out."""
        # Sockets whose handshake was still under way at the signal open later: close them too.
        self.close_open_websockets()
        pending = self.pending_connections()
        waited = time.monotonic() - self.draining_since
        if not pending:
            logger.info("drained in %.2fs", waited)
            self.stop()
        elif waited >= self.shutdown_grace:
            logger.warning("grace period over with %d connection(s) left", len(pending))
            self.stop()
        else:
            reactor.callLater(POLL_INTERVAL, self.drain)

    def close_open_websockets(self) -> None:
        for protocol in list(self.connections):
            if isinstance(protocol, WebSocketProtocol) and protocol.state == protocol.STATE_OPEN:
                # autobahn's public sendClose() refuses 1001 and 1012 (it only lets applications
                # use 1000 and 3000-4999); sendCloseFrame() is the call it makes itself for
                # protocol-level closes, and runs the same close handshake and timeout.
                protocol.sendCloseFrame(code=SERVICE_RESTART, reasonUtf8=b"service restart")

    def pending_connections(self) -> list:
        """Connections still open, or closed but whose application has not finished with them."""
        pending = []
        for protocol, details in self.connections.items():
            instance = details.get("application_instance")
            if "disconnected" not in details or (instance is not None and not instance.done()):
                pending.append(protocol)
        return pending


def serve(application: Any, options: ServerOptions) -> int:
    """Runs daphne until the drain is over; 1 if it could not start (a port already taken)."""
    proxy_headers = options.proxy_headers
    server = GracefulServer(
        application=application,
        endpoints=build_endpoint_description_strings(host=options.bind, port=options.port),
        shutdown_grace=options.shutdown_grace,
        action_logger=QueryFreeAccessLog(sys.stdout),
        # Only the address and the scheme: daphne would read X-Forwarded-Port as the *client's*
        # port, which nginx does not send.
        proxy_forwarded_address_header="X-Forwarded-For" if proxy_headers else None,
        proxy_forwarded_proto_header="X-Forwarded-Proto" if proxy_headers else None,
    )
    server.run()
    return 1 if server.abort_start or server.listen_failed else 0
