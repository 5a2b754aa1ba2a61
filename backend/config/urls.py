from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import healthz, readyz
from config.spa import api_not_found, spa_index

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/", include("api.urls")),
    re_path(r"^api/(?P<path>.*)$", api_not_found),
    path("healthz", healthz),
    path("readyz", readyz),
    # Everything else is a client-side route of the web client.
    re_path(r"^(?!static/|ws/)(?P<path>.*)$", spa_index),
]
