"""The process launcher: `python -m config.server [module:attribute]` serves an ASGI application.

`make run`, the compose image and tests/topology all start the backend this way. It serves
config.asgi:application, or the application named by its one optional argument (the benchmark
runs a bare ASGI app under exactly the same server), with uvicorn or daphne as ASGI_SERVER says
(config/servers/), and adds what neither's own command line has: a graceful shutdown. On SIGTERM
or SIGINT the worker

1. stops listening, so nginx sends new connections to the other replicas;
2. closes every open WebSocket with 1012 (service restart), which tells clients to reconnect,
   and they land on another replica (docs/protocol.md, close codes);
3. waits up to SHUTDOWN_GRACE seconds for the close handshakes, the consumers' disconnect
   handlers (presence) and in-flight HTTP requests to finish; then exits 0. A second signal
   stops at once; a port that is already taken ends start-up with a non-zero status.

Nothing stored is lost: a message is stored before it is broadcast, so one whose echo the closing
socket never got is fetched again by the client's resume (`after=`).

With either server, the access log leaves out query strings (browsers' WebSocket tickets travel
in them), and `await send()` on a WebSocket waits while the client is not reading, so a slow
client cannot make the process buffer without bound.

Environment: ASGI_SERVER (uvicorn; or daphne), PORT (8000), BIND (127.0.0.1; 0.0.0.0 in a
container), PROXY_HEADERS (false; true behind nginx, so the client address and scheme come from
X-Forwarded-For and X-Forwarded-Proto), SHUTDOWN_GRACE (5 seconds), LOG_LEVEL (INFO).
"""

import argparse
import gc
import importlib
import logging
import sys
from collections.abc import Callable
from typing import Any

from config.env import env_str
from config.servers import ServerOptions, check_server_name

DEFAULT_APPLICATION = "config.asgi:application"
# Net allocations of tracked objects between young-generation collections (CPython's is 700).
YOUNG_COLLECTION_ALLOCATIONS = 10_000


def main() -> None:
    args = parse_args()
    logging.basicConfig(
        level=env_str("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    options = ServerOptions.from_env()
    # The server before the application: daphne's module installs Twisted's reactor.
    serve = load_server(check_server_name())
    application = load_application(args.application)
    tune_garbage_collector()
    sys.exit(serve(application, options))


def tune_garbage_collector() -> None:
    """Fewer, cheaper garbage collections for a process that holds thousands of sockets.

    With the default thresholds a young-generation collection runs every 700 allocations and
    a full one often enough that, with a few thousand open sockets, each scans every object
    they hold: about a fifth of a join storm's CPU, and the worst handshake latencies
    (docs/performance.md). Freezing what start-up loaded (Django, the modules) takes it out of
    every later collection.

    The middle generation is collected after every third young collection, not every
    twentieth: while sockets open, most of what a young collection keeps is theirs, and one
    middle collection scans all that the young ones kept since the last, so its pause grows
    with that count (43 ms at 20 in a storm of 2,000 handshakes, 8 ms at 3, with the same total
    work). Full collections stay about as rare as before (at most one per 300 young ones, 400
    before, and only once the old generation has grown by a quarter: CPython's own rule).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_ALLOCATIONS, 3, 100)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m config.server", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "application",
        nargs="?",
        default=DEFAULT_APPLICATION,
        help=f"the ASGI application to serve, as module:attribute (default {DEFAULT_APPLICATION})",
    )
    args = parser.parse_args()
    module, _, attribute = args.application.partition(":")
    if not module or not attribute:
        parser.error(f"the application must look like module:attribute, not {args.application!r}")
    return args


def load_server(name: str) -> Callable[[Any, ServerOptions], int]:
    return importlib.import_module(f"config.servers.{name}").serve


def load_application(path: str) -> Any:
    module, _, attribute = path.partition(":")
    application: Any = importlib.import_module(module)
    for name in attribute.split("."):
        application = getattr(application, name)
    return application


if __name__ == "__main__":
    main()
