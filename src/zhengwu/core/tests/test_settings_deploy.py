"""With production values, Django's deployment checklist (`check --deploy`) is clean; without
them it complains, which proves the first test can fail."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ZHENGWU = Path(sys.executable).with_name("zhengwu")
DEPLOY_CHECK = ("check", "--deploy", "--fail-level", "WARNING")
# Values a developer may have exported that would change what is being tested.
CLEARED = ("SECRET_KEY", "ZHENGWU_HTTPS", "ZHENGWU_ALLOWED_HOSTS", "ZHENGWU_CSRF_TRUSTED_ORIGINS", "ZHENGWU_DEBUG")


def run_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key not in CLEARED}
    environ.update({"ZHENGWU_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run(  # noqa: S603
        [str(ZHENGWU), *DEPLOY_CHECK], env=environ, capture_output=True, text=True, timeout=180, check=False
    )


def production_env() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(64),  # 86 characters
        "ZHENGWU_HTTPS": "true",
        "ZHENGWU_ALLOWED_HOSTS": "gov.example.cn",
        "ZHENGWU_CSRF_TRUSTED_ORIGINS": "https://gov.example.cn",
    }


def test_production_values_pass_the_deployment_checklist(tmp_path: Path) -> None:
    result = run_check(tmp_path, **production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNING" not in output
    assert "security.W" not in output


def test_production_values_pass_on_the_external_zone_too(tmp_path: Path) -> None:
    result = run_check(tmp_path, ZHENGWU_ZONE="external", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def test_development_defaults_fail_the_deployment_checklist(tmp_path: Path) -> None:
    result = run_check(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "WARNING" in output
    # No HTTPS: no HSTS, no redirect, cookies not marked secure.
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in output, code


def test_debug_is_reported(tmp_path: Path) -> None:
    result = run_check(tmp_path, ZHENGWU_DEBUG="true", **production_env())
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def database_options(tmp_path: Path, **env: str) -> str:
    environ = {key: value for key, value in os.environ.items() if key != "ZHENGWU_PG_PREPARED"}
    environ.update({"ZHENGWU_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "zhengwu.settings", **env})
    code = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()


def test_postgresql_hot_statements_are_prepared_unless_turned_off(tmp_path: Path) -> None:
    url = "postgres://zhengwu@db.example.cn:5432/zhengwu"
    assert database_options(tmp_path, DATABASE_URL=url) == "{'prepare_threshold': 5}"
    assert database_options(tmp_path, DATABASE_URL=url, ZHENGWU_PG_PREPARED="false") == "{}"
    assert "prepare_threshold" not in database_options(tmp_path, DATABASE_URL="sqlite:///" + str(tmp_path / "x.db"))
