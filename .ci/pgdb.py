"""Create or drop a throwaway PostgreSQL database for CI; exit 1 when no server answers."""

import sys

import sqlalchemy as sa

url, action, name = sys.argv[1], sys.argv[2], sys.argv[3]
if not name.replace("_", "").isalnum():
    sys.exit("bad database name")
try:
    engine = sa.create_engine(
        f"{url}/postgres", isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    with engine.connect() as conn:
        if action == "create":
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        else:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
except sa.exc.OperationalError as error:
    print(f"PostgreSQL unavailable: {error.orig}", file=sys.stderr)
    sys.exit(1)
