"""Strict parsers for settings read from the environment.

Every setting of zhengwu comes from an environment variable (docs/design.md rule 8). A value that
cannot be parsed stops start-up with a message that names the variable and what it expects;
nothing is silently replaced by a default.
"""

from __future__ import annotations

import builtins
import os
import re
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse


class SettingError(Exception):
    """A bad environment value. Raised at start-up, before Django is configured."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        self.name = name
        super().__init__(f"环境变量 {name} 的值 {value!r} 无效：应为{expected}。(invalid {name}: expected {expected})")


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}

_Number = TypeVar("_Number", int, float)


class Env:
    """Reads typed values from a mapping (os.environ by default).

    The methods are named after the builtins they return, so annotations after `def str`
    spell the types `builtins.str` etc. (inside the class body the bare name is the method).
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def str(self, name: builtins.str, default: builtins.str) -> builtins.str:
        return self.raw(name) or default

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        value = self.raw(name)
        if value is None:
            return default
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        raise SettingError(name, value, " true/false、1/0、yes/no 或 on/off")

    def int(
        self,
        name: builtins.str,
        default: builtins.int,
        *,
        minimum: builtins.int | None = None,
        maximum: builtins.int | None = None,
    ) -> builtins.int:
        return self._number(name, default, int, "整数", minimum, maximum)

    def float(
        self, name: builtins.str, default: builtins.float, *, minimum: builtins.float, maximum: builtins.float
    ) -> builtins.float:
        return self._number(name, default, float, "数字", minimum, maximum)

    def _number(
        self,
        name: builtins.str,
        default: _Number,
        parse: Callable[[builtins.str], _Number],
        noun: builtins.str,
        minimum: _Number | None,
        maximum: _Number | None,
    ) -> _Number:
        """The setting parsed by `parse` (an `int` or a `float`, called `noun` in the messages) and
        checked against the bounds given (a NaN is outside any)."""
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = parse(value)
        except ValueError:
            raise SettingError(name, value, noun) from None
        if not ((minimum is None or minimum <= number) and (maximum is None or number <= maximum)):
            if maximum is None:
                raise SettingError(name, value, f"不小于 {minimum} 的{noun}")
            if minimum is None:
                raise SettingError(name, value, f"不大于 {maximum} 的{noun}")
            raise SettingError(name, value, f" {minimum} 到 {maximum} 之间的{noun}")
        return number

    def choice(self, name: builtins.str, default: builtins.str, choices: tuple[builtins.str, ...]) -> builtins.str:
        value = self.raw(name)
        if value is None:
            return default
        if value not in choices:
            raise SettingError(name, value, "以下之一：" + "、".join(choices))
        return value

    def pattern(
        self, name: builtins.str, default: builtins.str, regex: builtins.str, expected: builtins.str
    ) -> builtins.str:
        """The setting when the whole of it matches `regex` (described to people as `expected`)."""
        value = self.raw(name)
        if value is None:
            return default
        if re.fullmatch(regex, value) is None:
            raise SettingError(name, value, expected)
        return value

    def list(self, name: builtins.str, default: builtins.list[builtins.str]) -> builtins.list[builtins.str]:
        value = self.raw(name)
        if value is None:
            return default
        items = [item.strip() for item in value.split(",") if item.strip()]
        if not items:
            raise SettingError(name, value, "逗号分隔的非空列表")
        return items

    def url(self, name: builtins.str, schemes: tuple[builtins.str, ...]) -> builtins.str | None:
        value = self.raw(name)
        if value is None:
            return None
        parsed = urlparse(value)
        if parsed.scheme not in schemes:
            raise SettingError(name, value, "以 " + "、".join(f"{s}://" for s in schemes) + " 开头的地址")
        if parsed.scheme != "sqlite" and not parsed.hostname:
            raise SettingError(name, value, "包含主机名的地址")
        return value

    def hex_key(self, name: builtins.str, *, nbytes: builtins.int) -> bytes | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            key = bytes.fromhex(value)
        except ValueError:
            raise SettingError(name, value, f"{nbytes * 2} 位十六进制字符串") from None
        if len(key) != nbytes:
            raise SettingError(name, value, f"{nbytes * 2} 位十六进制字符串")
        return key


def secret_from_file(path: Path, *, nbytes: int) -> str:
    """Return a hex secret kept in `path`, creating it (mode 0600) on first use.

    This is what makes the one-machine default work with no configuration while keeping
    the secret stable across restarts.
    """
    if path.exists():
        value = path.read_text().strip()
        if len(value) == nbytes * 2:
            return value
        raise SettingError(str(path), value[:8] + "…", f"{nbytes * 2} 位十六进制字符串（删除该文件将重新生成）")
    value = secrets.token_hex(nbytes)
    write_private(path, value + "\n")
    return value


def write_private(path: Path, text: str, *, replace: bool = False) -> None:
    """Write a new file readable by its owner only (mode 0600 from its creation on); with
    `replace`, an existing file is removed first (so its old mode does not carry over)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if replace:
        path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
