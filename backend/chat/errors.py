"""The one error vocabulary, shared by the REST exception handler and the WebSocket consumer.

Each error is data: a stable ``code`` for machines, a human ``default_message``, the HTTP status
for REST and, for errors that end a WebSocket handshake, the close code.
"""


class ChatError(Exception):
    code = "invalid"
    default_message = "The request is not valid."
    status_code = 400
    close_code = 4400
    # The request field at fault, for REST's {"errors": {field: [message]}}.
    field: str | None = None

    def __init__(self, message: str | None = None, *, client_id: str | None = None) -> None:
        self.message = message or self.default_message
        self.client_id = client_id
        super().__init__(self.message)


class NotAuthenticated(ChatError):
    code = "not_authenticated"
    default_message = "Log in to do this."
    status_code = 401
    close_code = 4401


class BadCredentials(ChatError):
    code = "token_not_valid"
    default_message = "The credentials are invalid, expired or already used."
    status_code = 401
    close_code = 4401


class Forbidden(ChatError):
    code = "forbidden"
    default_message = "You may not do this."
    status_code = 403
    close_code = 4403


class TooManySockets(ChatError):
    code = "too_many_sockets"
    default_message = "Too many open sockets; close some (other tabs or devices) first."
    status_code = 429
    close_code = 4429


class RoomNotFound(ChatError):
    code = "room_not_found"
    default_message = "There is no such room."
    status_code = 404
    close_code = 4404


class MessageNotFound(ChatError):
    code = "message_not_found"
    default_message = "There is no such message here."
    status_code = 404


class UserNotFound(ChatError):
    code = "user_not_found"
    default_message = "There is no such user."
    status_code = 404


class UsernameTaken(ChatError):
    default_message = "A user with that username already exists."
    field = "username"


class InvalidRoomName(ChatError):
    code = "invalid"
    default_message = "A room name is 1-64 characters of letters, digits, underscores or hyphens."


class InvalidJson(ChatError):
    code = "invalid_json"
    default_message = "The frame is not valid JSON."


class InvalidFrame(ChatError):
    code = "invalid_frame"
    default_message = "The frame is not a valid message."


class UnknownType(ChatError):
    code = "unknown_type"
    default_message = "Unknown message type."


class EmptyMessage(ChatError):
    code = "empty"
    default_message = "The message is empty."


class MessageTooLong(ChatError):
    code = "too_long"
    default_message = "The message is too long."


class RateLimited(ChatError):
    code = "rate_limited"
    default_message = "You are sending too fast; slow down."
    status_code = 429


class EditWindowClosed(ChatError):
    code = "edit_window_closed"
    default_message = "This message can no longer be edited."
    status_code = 403


class InvalidEmoji(ChatError):
    code = "invalid_emoji"
    default_message = "A reaction is exactly one emoji."


class TooManyReactions(ChatError):
    code = "too_many_reactions"
    default_message = "This message carries as many different reactions as it may."
    status_code = 409
