"""The flask commands a new user or an operator runs."""

from __future__ import annotations

import subprocess
import sys

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
