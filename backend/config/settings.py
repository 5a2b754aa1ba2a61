"""Settings for the chat server, all read from the environment (see .env.example).

The defaults are the embedded mode: SQLite, the in-memory channel layer, one process, DEBUG on.
Production sets DEBUG=false, SECRET_KEY, DATABASE_URL and REDIS_URL.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BASE_DIR.parent

DEBUG = env_bool("DEBUG", True)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Kept in a git-ignored file so that tokens survive a restart of the dev server.
    key_file = BASE_DIR / ".dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "accounts",
    "chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # Off: a health check is a SELECT 1 before the first query of every request, and every
        # socket frame counts as one (chat/threads.py), doubling the round trips of a send. A
        # connection that died (the database restarted) fails one request or frame instead, and
        # is then replaced; clients resend with their client_id.
        conn_health_checks=False,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Only the statements chat/rows.py binds on the server are prepared (Django's own queries
    # are bound in the client): a handshake's snapshot is then planned once per connection.
    # Off behind a pooler that does not keep a session per client (PgBouncer's transaction mode).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        5 if env_bool("DATABASE_PREPARED_STATEMENTS", True) else None
    )
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several threads write at once (one per socket handler); wait for the lock, don't fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# The built web client, served at / in the single-process mode (nginx serves it in production).
FRONTEND_DIST = Path(env_str("FRONTEND_DIST", str(REPO_DIR / "frontend" / "dist")))
WHITENOISE_ROOT = FRONTEND_DIST if FRONTEND_DIST.is_dir() else None
WHITENOISE_INDEX_FILE = True

REDIS_URL = env_str("REDIS_URL")

# Live delivery (chat/delivery) needs no Channels channel layer: with REDIS_URL each process
# subscribes to Redis pub/sub once per room and user it has sockets for; without, one process
# delivers in memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "chat",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ChatAutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.handle_exception",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_RATE", "600/min"),
        "user": env_rate("API_RATE", "600/min"),
    },
    # Throttle by REMOTE_ADDR, never a client-sent X-Forwarded-For (spoofable). Behind nginx the
    # launcher's PROXY_HEADERS=true puts the real client address into REMOTE_ADDR.
    "NUM_PROXIES": 0,
}

# Password guessing (accounts/login_limits.py): attempts per client address (REMOTE_ADDR, as
# above) for login and sign-up together, and per username the failures that lock it.
LOGIN_RATE = env_rate("LOGIN_RATE", "10/min")
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT = env_int("LOGIN_LOCKOUT", 900, minimum=1)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env_int("ACCESS_TOKEN_LIFETIME", 300, minimum=1)),
    "REFRESH_TOKEN_LIFETIME": timedelta(
        seconds=env_int("REFRESH_TOKEN_LIFETIME", 7 * 24 * 3600, minimum=1)
    ),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    # Tokens carry a digest of the password hash: a password change voids every earlier token.
    "CHECK_REVOKE_TOKEN": True,
    "TOKEN_REFRESH_SERIALIZER": "accounts.tokens.RevocableTokenRefreshSerializer",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Chat API",
    "DESCRIPTION": "REST half of the chat protocol; the WebSocket half is in docs/protocol.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Serve the docs UI's assets ourselves rather than from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

CHAT = {
    "MESSAGE_MAX_LENGTH": env_int("MESSAGE_MAX_LENGTH", 4000, minimum=1),
    "HISTORY_SIZE": env_int("HISTORY_SIZE", 10),
    "RESUME_LIMIT": env_int("RESUME_LIMIT", 100, minimum=1),
    # Seconds after sending during which its author may edit a message (deleting has no limit).
    "MESSAGE_EDIT_WINDOW": env_int("MESSAGE_EDIT_WINDOW", 3600, minimum=0),
    # Distinct emoji a message may carry: bounds what every reader of it is sent.
    "REACTIONS_PER_MESSAGE": env_int("REACTIONS_PER_MESSAGE", 20, minimum=1),
    "WS_TICKET_LIFETIME": env_int("WS_TICKET_LIFETIME", 30, minimum=1),
    "WS_RATE": env_int("WS_RATE", 10, minimum=1),
    "WS_BURST": env_int("WS_BURST", 20, minimum=1),
    "PRESENCE_TTL": env_int("PRESENCE_TTL", 60, minimum=2),
    "PRESENCE_SWEEP_INTERVAL": env_int("PRESENCE_SWEEP_INTERVAL", 15, minimum=1),
    # Frames a socket may fall behind (queued while the client does not read) before it is
    # closed with 4409 and must resume: a bound on the memory a slow reader can hold.
    "SOCKET_BACKLOG": env_int("SOCKET_BACKLOG", 1000, minimum=1),
    # Open sockets per user across all workers, and per client address for anonymous sockets:
    # the next one is closed with 4429.
    "WS_SOCKETS_PER_USER": env_int("WS_SOCKETS_PER_USER", 20, minimum=1),
    "WS_SOCKETS_PER_ADDRESS": env_int("WS_SOCKETS_PER_ADDRESS", 100, minimum=1),
    # Threads per process for the sockets' blocking calls (database, Redis): see chat/threads.py.
    "SERVICE_THREADS": env_int("SERVICE_THREADS", 2, minimum=1),
    # PostgreSQL connections per process for room messages stored from the event loop
    # (chat/loop_store.py); 0 stores them from the service threads.
    "LOOP_DATABASE_CONNECTIONS": env_int("LOOP_DATABASE_CONNECTIONS", 2, minimum=0),
}

SECURE_CONTENT_TYPE_NOSNIFF = True
# Only behind a proxy that sets it (PROXY_HEADERS, as for the client address): otherwise any client
# could declare its own plain-HTTP request secure.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("PROXY_HEADERS", False) else None
)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
