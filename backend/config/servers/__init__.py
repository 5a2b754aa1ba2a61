"""The ASGI servers `python -m config.server` can run, and the options they share.

Each module here (`daphne`, `uvicorn`) has one `serve(application, options) -> int` that runs
until the graceful shutdown ends and returns the process's exit status; config/server.py picks
one from ASGI_SERVER. Only the chosen one is imported: daphne's installs Twisted's reactor.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str

SERVERS = ("uvicorn", "daphne")
DEFAULT_SERVER = "uvicorn"


@dataclass(frozen=True)
class ServerOptions:
    """What the environment says about listening and stopping, read once at start-up."""

    bind: str
    port: int
    proxy_headers: bool
    shutdown_grace: int

    @classmethod
    def from_env(cls) -> "ServerOptions":
        return cls(
            bind=env_str("BIND", "127.0.0.1"),
            port=env_int("PORT", 8000, minimum=1),
            proxy_headers=env_bool("PROXY_HEADERS", False),
            shutdown_grace=env_int("SHUTDOWN_GRACE", 5),
        )


def check_server_name() -> str:
    """The server ASGI_SERVER names; raises on a name we do not run."""
    raw = env_str("ASGI_SERVER", DEFAULT_SERVER)
    name = raw.strip().lower()
    if name not in SERVERS:
        raise ImproperlyConfigured(f"ASGI_SERVER must be uvicorn or daphne, not {raw!r}.")
    return name
