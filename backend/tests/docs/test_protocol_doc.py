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


def section(heading: str) -> str:
    start = DOC.index(f"\n{heading}\n")
    end = DOC.find("\n#", start + len(heading) + 2)
    return DOC[start:end]


def frame_tables(heading: str, fields_column: int) -> dict[str, dict[str, bool]]:
    """{frame type: {field: optional}} from the table under ``heading``: the frame's row names it
    in its first column and its fields, `name` or `name`? (optional), in ``fields_column``."""
    frames = {}
    for line in section(heading).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        name = re.fullmatch(r"`(\w+)`", cells[0])
        if name:
            fields = re.findall(r"`(\w+)`(\??)", cells[fields_column])
            frames[name[1]] = {field: bool(optional) for field, optional in fields}
    return frames


def model_fields(model) -> dict[str, bool]:
    """{wire name: optional}: the alias where there is one (``with_`` is ``with``)."""
    return {
        field.alias or name: not field.is_required()
        for name, field in model.model_fields.items()
        if name != "type"
    }


def test_the_client_frames_and_their_fields_are_exactly_the_documented_ones():
    documented_frames = frame_tables("### Client -> server", fields_column=1)
    assert set(documented_frames) == set(CLIENT_FRAMES)
    for frame_type, frame in CLIENT_FRAMES.items():
        assert documented_frames[frame_type] == model_fields(frame), frame_type


def test_the_server_events_and_their_fields_are_exactly_the_documented_ones():
    documented_events = frame_tables("### Server -> client", fields_column=2)
    events = {event.model_fields["type"].default: event for event in SERVER_EVENTS}
    assert set(documented_events) == set(events)
    for event_type, event in events.items():
        assert set(documented_events[event_type]) == set(model_fields(event)), event_type


def test_the_documented_pm_blanks_are_the_servers():
    rule = section("### Client -> server")
    rule = rule[rule.index("**The `/pm` shortcut.**") :].split("\n- ")[0]
    blanks = set()
    for first, last in re.findall(r"U\+([0-9A-F]{4})(?: to U\+([0-9A-F]{4}))?", rule):
        blanks.update(map(chr, range(int(first, 16), int(last or first, 16) + 1)))
    assert blanks == set(protocol.PM_BLANKS)


@pytest.mark.parametrize("error", list(every_error_class()), ids=lambda error: error.__name__)
def test_every_error_code_and_close_code_is_documented(error):
    assert re.search(rf"\| `{error.code}` \|", DOC), error.code
    assert str(error.close_code) in DOC


@pytest.mark.parametrize("name", [name for name in dir(protocol) if name.startswith("CLOSE_")])
def test_every_close_code_of_the_protocol_module_has_a_row(name):
    assert re.search(rf"^\| {getattr(protocol, name)} \|", DOC, re.MULTILINE), name
