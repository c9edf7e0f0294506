"""Entry point: ``flask --app run ...`` commands, and ``python run.py`` for the development server."""

import os

from facilitator import create_app

app = create_app()

if __name__ == "__main__":
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    app.extensions["socketio"].run(app, host=host, port=port, allow_unsafe_werkzeug=True)
