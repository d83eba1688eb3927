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
# "Keep me signed in" lasts two weeks, not Flask-Login's year; Secure whenever sessions are.
REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 14
PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
WTF_CSRF_TIME_LIMIT = 60 * 60 * 12
MAX_CONTENT_LENGTH = 10 * 1024 * 1024

# werkzeug's generate_password_hash method; the tests set a cheap one (logins are most of their
# hashing), production keeps scrypt's cost.
PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a method name, not a password)

RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
# Per username from one address, and per address over all usernames (an office behind one
# address has many users, hence the higher figure); never per username alone, which would let
# anyone lock a known user out.
LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
LOGIN_RATE_LIMIT_PER_ADDRESS = "30 per minute;300 per hour"
# Strict-Transport-Security on answers served over HTTPS (a year, as browsers' preload asks).
HSTS_MAX_AGE = 60 * 60 * 24 * 365

# Recurring series are bounded so one form cannot create thousands of rows.
MAX_SERIES_OCCURRENCES = 120
MAX_SERIES_DAYS = 400
SEND_FILE_MAX_AGE_DEFAULT = 60 * 60
# Memory each sort or hash of one PostgreSQL query may use before spilling to disk. The results
# group a year of a province (~80,000 attendance rows); at PostgreSQL's default (4MB) those sorts
# and per-person groupings spill to temporary files. A limit, not an allocation: daily pages sort
# a few hundred rows and use what they need.
POSTGRES_WORK_MEM = "32MB"

# A results list longer than this many rows is written to a file as a job (with progress), not
# inside the request (planner/results/record_rows.py). Measured on a province's year (bench/
# pages.py): a row costs 40-80 us of CPU to read and write as XLSX (enrolments, the widest, the
# most), so 10,000 rows stay under 1 s in a request; a year's reach (70,000) takes 3 s.
RESULTS_EXPORT_INLINE_ROWS = 10_000
