"""docs/protocol.md is the public contract: everything the code can put on the wire is in it."""

import re
from pathlib import Path

import pytest

import accounts.services  # noqa: F401  (registers its ChatError subclasses)
import chat.consumers  # noqa: F401
from chat import protocol
from chat.errors import ChatError
from chat.protocol import CLIENT_FRAMES, SERVER_EVENTS

DOC = (Path(__file__).resolve().parents[3] / "docs" / "protocol.md").read_text()


def every_error_class(base=ChatError):
    for subclass in base.__subclasses__():
        yield subclass
        yield from every_error_class(subclass)


def documented(name: str) -> bool:
    return f"`{name}`" in DOC


@pytest.mark.parametrize("frame_type", sorted(CLIENT_FRAMES))
def test_every_client_frame_is_documented(frame_type):
    assert documented(frame_type)


@pytest.mark.parametrize("event", SERVER_EVENTS, ids=lambda event: event.__name__)
def test_every_server_event_and_its_fields_are_documented(event):
    assert documented(event.model_fields["type"].default)
    for field in event.model_fields:
        assert field == "type" or documented(field), field


@pytest.mark.parametrize("error", list(every_error_class()), ids=lambda error: error.__name__)
def test_every_error_code_and_close_code_is_documented(error):
    assert re.search(rf"\| `{error.code}` \|", DOC), error.code
    assert str(error.close_code) in DOC


@pytest.mark.parametrize("name", [name for name in dir(protocol) if name.startswith("CLOSE_")])
def test_every_close_code_of_the_protocol_module_has_a_row(name):
    assert re.search(rf"^\| {getattr(protocol, name)} \|", DOC, re.MULTILINE), name
