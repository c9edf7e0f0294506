"""The Redis message queue between server processes, made to say when it cannot deliver.

python-socketio's RedisManager delivers an announcement to this process's own screens, then
publishes it for the other processes; when Redis is unreachable it logs that and carries on, so
screens on other processes would silently miss it. ``ReportingRedisManager`` raises
``LiveUpdatesDown`` instead, which ``broadcast`` turns into a warning for the person who acted.
"""

from __future__ import annotations

import socketio


class LiveUpdatesDown(Exception):
    """An announcement reached this process's screens but not the other server processes."""


class ReportingRedisManager(socketio.RedisManager):
    def _publish(self, data):
        # The parent returns the number of receivers, or None after it gave up retrying.
        if super()._publish(data) is None:
            raise LiveUpdatesDown("the Redis message queue is unreachable")


def client_manager(url: str | None, channel: str) -> socketio.RedisManager | None:
    """Called by ``create_app``: the queue for SOCKETIO_MESSAGE_QUEUE, or None for one process."""
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"SOCKETIO_MESSAGE_QUEUE must be a Redis URL (redis://host:port/db), not {url!r}")
    return ReportingRedisManager(url, channel=channel)
