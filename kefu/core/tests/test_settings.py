"""Configuration from the environment: the embedded tier needs nothing, production needs
its secret, and the database comes from DATABASE_URL."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def settings_in(env: dict, tmp_path, expression: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "KEFU_ENV", "DEBUG", "KEFU_DATA_KEY"}}
    clean.update(KEFU_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="config.settings", **env)
    code = f"import django; django.setup(); from django.conf import settings as s; print(repr(({expression})))"
    return subprocess.run([sys.executable, "-c", code], env=clean, cwd=ROOT, capture_output=True, text=True)


def test_the_embedded_tier_generates_and_keeps_its_secret_key(tmp_path):
    first = settings_in({}, tmp_path, "s.SECRET_KEY")
    second = settings_in({}, tmp_path, "s.SECRET_KEY")
    assert first.returncode == 0 and first.stdout == second.stdout and len(first.stdout.strip()) >= 50
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = settings_in({"KEFU_ENV": "production"}, tmp_path, "s.SECRET_KEY")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "data" / "secret_key").exists()


def test_production_refuses_to_start_without_a_data_key(tmp_path):
    result = settings_in({"KEFU_ENV": "production", "SECRET_KEY": "x" * 50}, tmp_path, "s.SECRET_KEY")
    assert result.returncode != 0 and "KEFU_DATA_KEY must be set" in result.stderr


def test_defaults_are_sqlite_in_the_data_dir_debug_off_and_utc_storage(tmp_path):
    result = settings_in({}, tmp_path, "s.DATABASES['default']['NAME'], s.DEBUG, s.USE_TZ, s.TIME_ZONE, s.LANGUAGE_CODE")
    assert result.stdout.strip() == repr((str(tmp_path / "data" / "kefu.sqlite3"), False, True, "Asia/Shanghai", "zh-hans"))


def test_database_url_selects_postgresql(tmp_path):
    result = settings_in({"DATABASE_URL": "postgres://kefu:pw@db.internal:5433/kefu"}, tmp_path,
                         "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST']")
    assert result.stdout.strip() == repr(("django.db.backends.postgresql", "db.internal"))
