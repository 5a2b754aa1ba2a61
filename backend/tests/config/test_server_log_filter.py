"""The filter that keeps query strings (WebSocket tickets) out of uvicorn's log lines.

The formats are uvicorn's (and websockets') own; test_server.py checks the real lines of a real
process, these check each kind of line, including those a test run rarely writes.
"""

import logging

import pytest

from config.servers.uvicorn import QueryFreeLog

CLIENT = "127.0.0.1:50000"


def filtered(name: str, message: str, *args: object) -> str:
    record = logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)
    assert QueryFreeLog().filter(record), "the filter must never drop a line"
    return record.getMessage()


@pytest.mark.parametrize(
    ("name", "message", "args", "line"),
    [
        (
            "uvicorn.access",
            '%s - "%s %s HTTP/%s" %d',
            (CLIENT, "GET", "/healthz?token=secret", "1.1", 200),
            f'{CLIENT} - "GET /healthz HTTP/1.1" 200',
        ),
        (
            "uvicorn.error",
            '%s - "WebSocket %s" [accepted]',
            (CLIENT, "/ws/chat/lobby/?ticket=secret"),
            f'{CLIENT} - "WebSocket /ws/chat/lobby/" [accepted]',
        ),
        (
            "uvicorn.error",
            '%s - "WebSocket %s" 403',
            (CLIENT, "/ws/chat/lobby/?ticket=secret"),
            f'{CLIENT} - "WebSocket /ws/chat/lobby/" 403',
        ),
        (
            "uvicorn.error",
            '%s - "WebSocket %s" %d',
            (CLIENT, "/ws/chat/lobby/?ticket=secret", 401),
            f'{CLIENT} - "WebSocket /ws/chat/lobby/" 401',
        ),
        (
            "uvicorn.error",
            "< %s %s %s",
            ("GET", "/ws/chat/lobby/?ticket=secret", "HTTP/1.1"),
            "< GET /ws/chat/lobby/ HTTP/1.1",
        ),
    ],
)
def test_it_cuts_the_query_string_from_request_lines(name, message, args, line):
    assert filtered(name, message, *args) == line


def test_it_keeps_a_percent_quoted_question_mark_in_the_path():
    line = filtered("uvicorn.access", '%s - "%s %s"', CLIENT, "GET", "/rooms/why%3F?x=1")
    assert line == f'{CLIENT} - "GET /rooms/why%3F"'


def test_it_leaves_other_lines_alone():
    assert filtered("uvicorn.error", "Invalid value %s", "a?b") == "Invalid value a?b"
    assert filtered("uvicorn.error", "Shutting down") == "Shutting down"
