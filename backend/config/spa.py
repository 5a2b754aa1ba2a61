"""Serves the built web client's index.html for client-side routes (WhiteNoise serves its files)."""

from django.conf import settings
from django.http import FileResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt


def spa_index(request, path: str = ""):
    index = settings.FRONTEND_DIST / "index.html"
    if not index.is_file():
        return JsonResponse(
            {"code": "not_found", "detail": "The web client is not built; run `make run`."},
            status=404,
        )
    return FileResponse(index.open("rb"), content_type="text/html")


@csrf_exempt  # it changes nothing; without this an unsafe method got the CSRF check's HTML 403
def api_not_found(request, path: str = "") -> JsonResponse:
    # Without this, an unknown /api/ path would fall through to the web client's index.html.
    return JsonResponse({"code": "not_found", "detail": "No such endpoint."}, status=404)
