"""What the OpenAPI schema (/api/schema/) says about errors.

Every error has the body api/exceptions.py gives it. Views list the statuses they can answer
with ``errors(...)``; the contract test (tests/api/test_schema_contract.py) holds them to it.
"""

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable and machine-readable: not_authenticated, forbidden, room_not_found, "
        "rate_limited, ... (docs/protocol.md lists them)."
    )
    detail = serializers.CharField(help_text="For people; the wording may change.")


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="The messages for each request field at fault (non_field_errors: the whole "
        "body). Absent when the fault is in the path.",
    )


def ecma(regex: re.Pattern) -> str:
    """A Python pattern as JSON Schema (ECMA 262) writes it, as drf-spectacular does for fields."""
    return regex.pattern.replace(r"\A", "^").replace(r"\Z", "$")


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description)


_ERRORS = {
    400: OpenApiResponse(
        ValidationErrorSerializer,
        "`invalid`: the request breaks a rule (`errors` says which field); `parse_error`: the "
        "body is not JSON.",
    ),
    401: error("`not_authenticated`: no token; `token_not_valid`: a bad, expired or revoked one."),
    403: error("`forbidden`: the caller may not do this."),
    404: error("`not_found`, or what was not found (`room_not_found`, `user_not_found`)."),
    429: error("`rate_limited`: too many requests; try again after `Retry-After` seconds."),
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """The error responses of an operation, by status, with their generic descriptions; an
    operation that says more about one puts its own ``error(...)`` after these."""
    return {status: _ERRORS[status] for status in statuses}


class ChatAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the Retry-After header that every 429 carries."""

    retry_after = OpenApiParameter(
        "Retry-After",
        OpenApiTypes.INT,
        OpenApiParameter.HEADER,
        required=True,
        description="Seconds until the limit lets this request through again.",
        response=[429],
    )

    def get_override_parameters(self) -> list:
        return [*super().get_override_parameters(), self.retry_after]
