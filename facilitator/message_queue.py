"""The Redis message queue between server processes, made to say when it cannot deliver.

python-socketio's RedisManager delivers an announcement to this process's own screens, then
publishes it for the other processes; when Redis is unreachable it logs that and carries on, so
screens on other processes would silently miss it. ``ReportingRedisManager`` raises
``LiveUpdatesDown`` instead, which ``broadcast`` turns into a warning for the person who acted.

After an outage the listener (this process's subscription) comes back by itself. Until Redis has
confirmed that subscription again, announcements may not reach everyone (the other processes
reconnect at the same pace, and this one misses theirs), so ``LiveUpdatesDown`` is raised for that
window too. The listener retries after 0.25 s, doubling to at most ``MAX_RETRY_SECONDS`` (the
library's own listener waits up to 60 s between attempts).
"""

from __future__ import annotations

import contextlib
import logging
import time

import socketio

log = logging.getLogger("samenspraak")

FIRST_RETRY_SECONDS = 0.25
MAX_RETRY_SECONDS = 2.0


class LiveUpdatesDown(Exception):
    """An announcement reached this process's screens but not the other server processes."""


class ReportingRedisManager(socketio.RedisManager):
    #: True while Redis has confirmed this process's subscription to the channel.
    listening = False
    #: True once this process serves screens (python-socketio initialises the manager on the first
    #: connection). A job worker never does: it only publishes, and needs no subscription.
    serving = False

    def initialize(self):
        super().initialize()
        self.serving = True

    def _publish(self, data):
        # The parent returns the number of receivers, or None after it gave up retrying.
        receivers = super()._publish(data)
        if receivers is None:
            raise LiveUpdatesDown("the Redis message queue is unreachable")
        if (self.serving and not self.listening) or receivers == 0:
            raise LiveUpdatesDown("the subscription to the Redis message queue is not confirmed (yet)")

    def _redis_listen_with_retries(self):
        """Like the parent's, with its own connection (the publisher's reconnects do not replace
        it), ``listening`` set only once Redis confirms the subscription, and a short backoff."""
        retry = FIRST_RETRY_SECONDS
        pubsub = None
        while True:
            try:
                if pubsub is None:
                    self.listening = False
                    client = self._get_redis_module().Redis.from_url(self.redis_url, **self.redis_options)
                    pubsub = client.pubsub()
                    pubsub.subscribe(self.channel)
                for message in pubsub.listen():
                    if message.get("type") == "subscribe":
                        self.listening = True
                        retry = FIRST_RETRY_SECONDS
                        log.info("subscribed to the Redis message queue")
                        continue
                    yield message
            except Exception as exc:  # noqa: BLE001 - any failure: reconnect after a pause
                self.listening = False
                log.error("cannot receive from the Redis message queue (%s); retrying in %s s", exc, retry)
                if pubsub is not None:
                    with contextlib.suppress(Exception):  # it is broken already
                        pubsub.close()
                pubsub = None
                time.sleep(retry)
                retry = min(retry * 2, MAX_RETRY_SECONDS)


def client_manager(url: str | None, channel: str) -> socketio.RedisManager | None:
    """Called by ``create_app``: the queue for SOCKETIO_MESSAGE_QUEUE, or None for one process."""
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"SOCKETIO_MESSAGE_QUEUE must be a Redis URL (redis://host:port/db), not {url!r}")
    return ReportingRedisManager(url, channel=channel)
