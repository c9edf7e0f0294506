"""gunicorn's settings for Samenspraak's socket processes (read from the working directory by
default; docs/operations.md §2 gives the command line). Options given on the command line win."""

# The worker's main thread accepts connections and tells the arbiter it is alive. When a thousand
# phones leave at once, their four thousand threads winding down can keep it from running for
# longer than gunicorn's default of 30 s (in one bench/load.py --plenary run on PostgreSQL a new
# worker booted right then), and a replaced worker drops every screen still connected to it.
timeout = 120


def post_worker_init(worker):
    """Before the first connection: the socket threads stay on one core and wait for the interpreter
    lock without waking every 5 ms (facilitator/cores.py)."""
    from facilitator import cores

    cores.prepare_serving_process(worker.wsgi)
