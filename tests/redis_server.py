"""The Redis server the job tests use, or a skip when none answers (CI's machines have one)."""

from __future__ import annotations

import pytest


def redis_or_skip(url: str):
    """A connection to `url` that answered a ping; skips the test when no server answers."""
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        connection.ping()
    except RedisError:
        pytest.skip("no Redis server answers on 127.0.0.1:6379")
    return connection
