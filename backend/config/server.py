"""The process launcher: `python -m config.server` runs daphne on config.asgi:application.

`make run`, the compose image and tests/topology all start the backend this way, so the one thing
daphne's own command line lacks lives here: a graceful shutdown. On SIGTERM or SIGINT the worker

1. stops listening, so nginx sends new connections to the other replicas;
2. closes every open WebSocket with 1012 (service restart), which tells clients to reconnect,
   and they land on another replica (docs/protocol.md, close codes);
3. waits up to SHUTDOWN_GRACE seconds for the close handshakes, the consumers' disconnect
   handlers (presence) and in-flight HTTP requests to finish; then stops the reactor.

Nothing stored is lost: a message is stored before it is broadcast, so one whose echo the closing
socket never got is fetched again by the client's resume (`after=`).

Environment: PORT (8000), BIND (127.0.0.1; 0.0.0.0 in a container), PROXY_HEADERS (false; true
behind nginx, so the client address comes from X-Forwarded-For), SHUTDOWN_GRACE (5 seconds).
"""

# daphne.server installs Twisted's asyncio reactor on import; it has to come before anything
# that imports the reactor, which Django's and Channels' imports may do.
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

from config.env import env_bool, env_int, env_str

logger = logging.getLogger("config.server")

SERVICE_RESTART = 1012
POLL_INTERVAL = 0.05


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


def build_server(application: Any) -> GracefulServer:
    port = env_int("PORT", 8000, minimum=1)
    proxy_headers = env_bool("PROXY_HEADERS", False)
    return GracefulServer(
        application=application,
        endpoints=build_endpoint_description_strings(host=env_str("BIND", "127.0.0.1"), port=port),
        shutdown_grace=env_int("SHUTDOWN_GRACE", 5),
        action_logger=QueryFreeAccessLog(sys.stdout),
        # Only the address and the scheme: daphne would read X-Forwarded-Port as the *client's*
        # port, which nginx does not send.
        proxy_forwarded_address_header="X-Forwarded-For" if proxy_headers else None,
        proxy_forwarded_proto_header="X-Forwarded-Proto" if proxy_headers else None,
    )


def main() -> None:
    logging.basicConfig(
        level=env_str("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    server = build_server(load_application())
    server.run()
    if server.abort_start or server.listen_failed:
        sys.exit(1)


def load_application() -> Any:
    from config.asgi import application

    return application


if __name__ == "__main__":
    main()
