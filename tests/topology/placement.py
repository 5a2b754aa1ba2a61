"""Putting sockets on a chosen worker, through nginx, without a test-only nginx config.

nginx balances with `least_conn` (the production setting), so a new socket goes to the worker
with the fewest open connections, ties taken in turn. The suite does not trust that: after each
handshake it asks the kernel which worker process accepted the new upstream connection
(cluster.established_inodes), and when a socket lands on the wrong worker it closes it and
connects again (open_on says how it gets least_conn to choose the other worker).
"""

import time

from chat_client import Person, Tab, request
from cluster import Cluster, Worker


def open_tab(cluster: Cluster, person: Person, room: str, after: int | None = None):
    """Opens a socket through nginx and returns it with the worker that serves it."""
    # The ticket's REST request is made (and its upstream connection counted) before the
    # snapshot, so the one new connection afterwards is the socket's.
    url = person.socket_url(room, after)
    before = cluster.snapshot()
    tab = Tab.open(person, room, url)
    return tab, cluster.worker_gaining(before)


def open_on(
    cluster: Cluster, worker: Worker, person: Person, room: str, tabs: list, timeout: float = 20
) -> Tab:
    """A socket of `person` in `room` served by `worker`; retried until nginx puts it there.

    The timeout covers nginx's fail_timeout (10 s): a worker that refused a connection recently
    gets none until it runs out.
    """
    deadline = time.monotonic() + timeout
    while True:
        tab, served_by = open_tab(cluster, person, room)
        if served_by is worker:
            tabs.append(tab)
            return tab
        tab.close()
        if time.monotonic() > deadline:
            raise AssertionError(f"nginx never put {person.username} on worker {worker.name}")
        # Between equally loaded workers least_conn takes turns, and the ticket's REST request
        # takes one too: without this extra request, ticket and socket would keep landing on
        # the same two workers in the same order.
        request(cluster.base_url, "GET", "/healthz")
        time.sleep(0.1)
