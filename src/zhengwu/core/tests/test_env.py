"""Settings come only from the environment, through strict parsers (docs/design.md rule 8).

A good value is parsed; a bad one raises SettingError whose Chinese message names the variable;
and a bad value stops `zhengwu` at start-up with exit status 2 and the words 配置错误.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from zhengwu.core.env import Env, SettingError, secret_from_file

ZHENGWU = Path(sys.executable).with_name("zhengwu")


def assert_names(error: pytest.ExceptionInfo[SettingError], name: str) -> None:
    message = str(error.value)
    assert error.value.name == name
    assert name in message
    assert "环境变量" in message
    assert "无效" in message


# --- raw / str ------------------------------------------------------------------------------


def test_raw_strips_and_treats_blank_as_unset() -> None:
    env = Env({"A": "  value  ", "B": "   ", "C": ""})
    assert env.raw("A") == "value"
    assert env.raw("B") is None
    assert env.raw("C") is None
    assert env.raw("MISSING") is None


def test_str_uses_default_only_when_unset() -> None:
    env = Env({"ZHENGWU_DATA_DIR": "/srv/zhengwu", "BLANK": " "})
    assert env.str("ZHENGWU_DATA_DIR", "./var") == "/srv/zhengwu"
    assert env.str("BLANK", "./var") == "./var"
    assert env.str("MISSING", "./var") == "./var"


def test_env_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHENGWU_TEST_VALUE", "42")
    assert Env().int("ZHENGWU_TEST_VALUE", 0) == 42


# --- bool -----------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["1", "true", "TRUE", "Yes", "on", " true "])
def test_bool_true_words(word: str) -> None:
    assert Env({"ZHENGWU_HTTPS": word}).bool("ZHENGWU_HTTPS", False) is True


@pytest.mark.parametrize("word", ["0", "false", "False", "no", "OFF"])
def test_bool_false_words(word: str) -> None:
    assert Env({"ZHENGWU_HTTPS": word}).bool("ZHENGWU_HTTPS", True) is False


def test_bool_default() -> None:
    assert Env({}).bool("ZHENGWU_HTTPS", True) is True
    assert Env({}).bool("ZHENGWU_HTTPS", False) is False


@pytest.mark.parametrize("word", ["ture", "2", "y", "是", "enabled"])
def test_bool_rejects_other_words(word: str) -> None:
    with pytest.raises(SettingError) as error:
        Env({"ZHENGWU_HTTPS": word}).bool("ZHENGWU_HTTPS", False)
    assert_names(error, "ZHENGWU_HTTPS")
    assert "true/false" in str(error.value)


# --- int ------------------------------------------------------------------------------------


def test_int_good_values() -> None:
    env = Env({"ZHENGWU_WEB_WORKERS": "8", "LOW": "1", "HIGH": "64", "NEG": "-3"})
    assert env.int("ZHENGWU_WEB_WORKERS", 3, minimum=1, maximum=64) == 8
    assert env.int("LOW", 3, minimum=1, maximum=64) == 1
    assert env.int("HIGH", 3, minimum=1, maximum=64) == 64
    assert env.int("NEG", 0) == -3
    assert env.int("MISSING", 3, minimum=1, maximum=64) == 3


@pytest.mark.parametrize("value", ["abc", "3.5", "1e3", "八"])
def test_int_rejects_non_integers(value: str) -> None:
    with pytest.raises(SettingError) as error:
        Env({"ZHENGWU_IDLE_TIMEOUT_MINUTES": value}).int("ZHENGWU_IDLE_TIMEOUT_MINUTES", 30, minimum=1, maximum=1440)
    assert_names(error, "ZHENGWU_IDLE_TIMEOUT_MINUTES")
    assert "整数" in str(error.value)


@pytest.mark.parametrize("value", ["0", "-1", "1441"])
def test_int_rejects_out_of_range(value: str) -> None:
    with pytest.raises(SettingError) as error:
        Env({"ZHENGWU_IDLE_TIMEOUT_MINUTES": value}).int("ZHENGWU_IDLE_TIMEOUT_MINUTES", 30, minimum=1, maximum=1440)
    assert_names(error, "ZHENGWU_IDLE_TIMEOUT_MINUTES")
    assert "1 到 1440" in str(error.value)


def test_int_with_one_bound_names_only_that_bound() -> None:
    with pytest.raises(SettingError) as error:
        Env({"ZHENGWU_AUDIT_RETENTION_DAYS": "30"}).int("ZHENGWU_AUDIT_RETENTION_DAYS", 180, minimum=180)
    assert_names(error, "ZHENGWU_AUDIT_RETENTION_DAYS")
    assert "不小于 180" in str(error.value)
    assert "None" not in str(error.value)
    with pytest.raises(SettingError) as error:
        Env({"N": "101"}).int("N", 1, maximum=100)
    assert "不大于 100" in str(error.value)
    assert "None" not in str(error.value)


# --- float ----------------------------------------------------------------------------------


def test_float_good_values() -> None:
    env = Env({"ZHENGWU_TIMER_YELLOW_FRACTION": "0.25", "EDGE": "1", "ZERO": "0"})
    assert env.float("ZHENGWU_TIMER_YELLOW_FRACTION", 0.2, minimum=0.0, maximum=1.0) == 0.25
    assert env.float("EDGE", 0.2, minimum=0.0, maximum=1.0) == 1.0
    assert env.float("ZERO", 0.2, minimum=0.0, maximum=1.0) == 0.0
    assert env.float("MISSING", 0.2, minimum=0.0, maximum=1.0) == 0.2


@pytest.mark.parametrize("value", ["abc", "0,5", "1.5", "-0.1", "nan"])
def test_float_rejects_bad_values(value: str) -> None:
    with pytest.raises(SettingError) as error:
        Env({"ZHENGWU_TIMER_YELLOW_FRACTION": value}).float(
            "ZHENGWU_TIMER_YELLOW_FRACTION", 0.2, minimum=0.0, maximum=1.0
        )
    assert_names(error, "ZHENGWU_TIMER_YELLOW_FRACTION")


# --- choice ---------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["all", "internal", "external"])
def test_choice_good_values(zone: str) -> None:
    assert Env({"ZHENGWU_ZONE": zone}).choice("ZHENGWU_ZONE", "all", ("all", "internal", "external")) == zone


def test_choice_default() -> None:
    assert Env({}).choice("ZHENGWU_ZONE", "all", ("all", "internal", "external")) == "all"


@pytest.mark.parametrize("value", ["bogus", "External", "内网"])
def test_choice_rejects_other_values(value: str) -> None:
    with pytest.raises(SettingError) as error:
        Env({"ZHENGWU_ZONE": value}).choice("ZHENGWU_ZONE", "all", ("all", "internal", "external"))
    assert_names(error, "ZHENGWU_ZONE")
    assert "以下之一：all、internal、external" in str(error.value)


# --- list -----------------------------------------------------------------------------------


def test_list_good_values() -> None:
    env = Env({"ZHENGWU_ALLOWED_HOSTS": "gov.example.cn, www.gov.example.cn ,,"})
    assert env.list("ZHENGWU_ALLOWED_HOSTS", ["localhost"]) == ["gov.example.cn", "www.gov.example.cn"]
    assert env.list("MISSING", ["localhost"]) == ["localhost"]


def test_list_rejects_only_commas() -> None:
    with pytest.raises(SettingError) as error:
        Env({"ZHENGWU_ALLOWED_HOSTS": " , ,"}).list("ZHENGWU_ALLOWED_HOSTS", ["localhost"])
    assert_names(error, "ZHENGWU_ALLOWED_HOSTS")


# --- url ------------------------------------------------------------------------------------

DB_SCHEMES = ("sqlite", "postgres", "postgresql")


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////srv/zhengwu/zhengwu.sqlite3",
        "postgres://zhengwu:secret@db.gov.example.cn:5432/zhengwu",
        "postgresql://postgres@127.0.0.1/zhengwu",
    ],
)
def test_url_good_values(url: str) -> None:
    assert Env({"DATABASE_URL": url}).url("DATABASE_URL", DB_SCHEMES) == url


def test_url_unset_is_none() -> None:
    assert Env({}).url("REDIS_URL", ("redis", "rediss")) is None


@pytest.mark.parametrize("url", ["mysql://x", "db.example.cn:5432", "http://db.example.cn/"])
def test_url_rejects_other_schemes(url: str) -> None:
    with pytest.raises(SettingError) as error:
        Env({"DATABASE_URL": url}).url("DATABASE_URL", DB_SCHEMES)
    assert_names(error, "DATABASE_URL")
    assert "postgres://" in str(error.value)


def test_url_requires_a_host_for_servers() -> None:
    with pytest.raises(SettingError) as error:
        Env({"REDIS_URL": "redis:///0"}).url("REDIS_URL", ("redis", "rediss"))
    assert_names(error, "REDIS_URL")
    assert "主机名" in str(error.value)


# --- hex_key --------------------------------------------------------------------------------


def test_hex_key_good_value() -> None:
    key = "00112233445566778899aabbccddeeff" * 2
    assert Env({"ZHENGWU_DATA_KEY": key}).hex_key("ZHENGWU_DATA_KEY", nbytes=32) == bytes.fromhex(key)
    assert Env({}).hex_key("ZHENGWU_DATA_KEY", nbytes=32) is None


@pytest.mark.parametrize("value", ["xyz", "0011", "00" * 33, "g" * 64])
def test_hex_key_rejects_bad_values(value: str) -> None:
    with pytest.raises(SettingError) as error:
        Env({"ZHENGWU_DATA_KEY": value}).hex_key("ZHENGWU_DATA_KEY", nbytes=32)
    assert_names(error, "ZHENGWU_DATA_KEY")
    assert "64 位十六进制" in str(error.value)


# --- secret_from_file -----------------------------------------------------------------------


def test_secret_from_file_creates_a_private_file_once(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "secret_key"
    first = secret_from_file(path, nbytes=32)
    assert len(first) == 64
    int(first, 16)  # hex
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_from_file(path, nbytes=32) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_secret_from_file_differs_between_installs(tmp_path: Path) -> None:
    assert secret_from_file(tmp_path / "a", nbytes=32) != secret_from_file(tmp_path / "b", nbytes=32)


def test_secret_from_file_rejects_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    path.write_text("too-short\n")
    with pytest.raises(SettingError) as error:
        secret_from_file(path, nbytes=32)
    assert str(path) in str(error.value)
    assert "删除该文件将重新生成" in str(error.value)
    assert "too-short" not in str(error.value)  # the secret itself is not printed in full


# --- start-up stops on a bad value ----------------------------------------------------------


def run_zhengwu(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "ZHENGWU_DATA_DIR": str(tmp_path / "data"), **env}
    return subprocess.run(  # noqa: S603
        [str(ZHENGWU), *args], env=environ, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ZHENGWU_ZONE", "bogus"),
        ("DATABASE_URL", "mysql://x"),
        ("ZHENGWU_IDLE_TIMEOUT_MINUTES", "abc"),
        ("ZHENGWU_HTTPS", "maybe"),
        ("REDIS_URL", "memcached://127.0.0.1"),
        ("SECRET_KEY", "short"),
    ],
)
def test_bad_value_stops_startup(tmp_path: Path, name: str, value: str) -> None:
    result = run_zhengwu(tmp_path, "check", **{name: value})
    assert result.returncode == 2, result.stderr
    assert "配置错误" in result.stderr
    assert name in result.stderr
    assert "Traceback" not in result.stderr


def test_secret_key_file_is_created_at_first_start(tmp_path: Path) -> None:
    # `zhengwu help` loads the settings without touching URLs, models or the database.
    environ = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    environ["ZHENGWU_DATA_DIR"] = str(tmp_path / "data")
    for _ in range(2):
        result = subprocess.run(  # noqa: S603
            [str(ZHENGWU), "help", "check"], env=environ, capture_output=True, text=True, timeout=120, check=False
        )
        assert result.returncode == 0, result.stderr
    key_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "data" / "data_key").stat().st_mode) == 0o600
