"""The one REST exception handler: every error is {"code", "detail"} (+ "errors" for fields)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from chat.errors import ChatError

# DRF's own codes, renamed where our vocabulary (docs/protocol.md) says otherwise.
_RENAMED = {
    "permission_denied": "forbidden",
    "throttled": "rate_limited",
    "no_active_account": "authentication_failed",
}


def handle_exception(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ChatError):
        return _chat_error_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc.detail)
    else:
        response.data = _error_body(exc, response.data)
    return response


def _chat_error_response(exc: ChatError) -> Response:
    if exc.field:
        body = _validation_body({exc.field: [exc.message]})
    else:
        body = {"code": exc.code, "detail": exc.message}
    # Limits that know when they lift say so, as DRF's throttles do (accounts/login_limits.py).
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return Response(body, status=exc.status_code, headers=headers)


def _validation_body(detail) -> dict:
    errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    field, messages = next(iter(errors.items()))
    first = messages[0] if isinstance(messages, list) else messages
    summary = str(first) if field == "non_field_errors" else f"{field}: {first}"
    return {"code": "invalid", "detail": summary, "errors": errors}


def _error_body(exc: exceptions.APIException, data) -> dict:
    # simplejwt puts its code and message inside the detail dict.
    if isinstance(data, dict) and "code" in data and "detail" in data:
        code = str(data["code"])
        return {"code": _RENAMED.get(code, code), "detail": str(data["detail"])}
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "error"
    detail = data.get("detail", exc.detail) if isinstance(data, dict) else exc.detail
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        code = "method_not_allowed"
    return {"code": _RENAMED.get(code, code), "detail": str(detail)}
