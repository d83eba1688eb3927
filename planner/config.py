"""Default settings; instance/config.py and PLANNER_* environment variables override them."""

from planner import timezones

SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
BABEL_DEFAULT_LOCALE = "vi"
BABEL_DEFAULT_TIMEZONE = timezones.LOCAL_ZONE_NAME
LANGUAGES = ("vi", "en")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Set PLANNER_SESSION_COOKIE_SECURE=true behind HTTPS.
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
WTF_CSRF_TIME_LIMIT = 60 * 60 * 12
MAX_CONTENT_LENGTH = 10 * 1024 * 1024

# werkzeug's generate_password_hash method; the tests set a cheap one (logins are most of their
# hashing), production keeps scrypt's cost.
PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a method name, not a password)

RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
LOGIN_RATE_LIMIT = "10 per minute;50 per hour"

# Recurring series are bounded so one form cannot create thousands of rows.
MAX_SERIES_OCCURRENCES = 120
MAX_SERIES_DAYS = 400
SEND_FILE_MAX_AGE_DEFAULT = 60 * 60
