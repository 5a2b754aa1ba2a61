"""HTTP GETs to the servers under test: straight to loopback, never through a proxy from the
environment (urllib would honour http_proxy even for 127.0.0.1 unless no_proxy says otherwise)."""

import json
import urllib.request
from email.message import Message

_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str, *, token: str | None = None, timeout: float = 10.0) -> tuple[Message, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with _direct.open(request, timeout=timeout) as response:
        return response.headers, response.read()


def get_json(url: str, *, token: str | None = None, timeout: float = 10.0) -> dict:
    return json.loads(get(url, token=token, timeout=timeout)[1] or b"{}")
