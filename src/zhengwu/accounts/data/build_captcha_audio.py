"""Build `captcha_audio/<digit>.wav`, the Mandarin recordings the login CAPTCHA's audio is made of
(`zhengwu.accounts.captcha`): one per digit 0–9, read 零 一 二 三 四 五 六 七 八 九.

Run from the repository root, on a machine with eSpeak NG (Debian: `apt-get install espeak-ng`):

    .venv/bin/python src/zhengwu/accounts/data/build_captcha_audio.py

Nothing at run time needs eSpeak NG (or `flite`, which django-simple-captcha's own audio needs):
the platform only joins these files. Source: eSpeak NG 1.51 (GPL-3.0-or-later), voice `cmn`,
speed 120 words a minute (slower than its 175, for older listeners). Its output is a synthesised
reading, not a copy of eSpeak NG's code, and is shipped here as data. Each reading is cut to the
sound (silence under `QUIET` at both ends removed) and halved to 11,025 Hz (each pair of samples
averaged), 16-bit mono: about 10 KB a digit.
"""

from __future__ import annotations

import array
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

HERE = Path(__file__).parent / "captcha_audio"
READINGS = "零一二三四五六七八九"
SPEED = 120  # words a minute
QUIET = 300  # of 32,767: quieter samples at either end are silence


def read_aloud(text: str) -> tuple[int, array.array[int]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.wav"
        subprocess.run(["espeak-ng", "-v", "cmn", "-s", str(SPEED), "-w", str(out), text], check=True)  # noqa: S603, S607
        with wave.open(str(out), "rb") as source:
            assert source.getnchannels() == 1 and source.getsampwidth() == 2
            rate = source.getframerate()
            samples = array.array("h", source.readframes(source.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return rate, samples


def trimmed(samples: array.array[int]) -> array.array[int]:
    loud = [i for i, s in enumerate(samples) if abs(s) > QUIET]
    return samples[loud[0] : loud[-1] + 1] if loud else samples


def halved(samples: array.array[int]) -> array.array[int]:
    return array.array("h", ((samples[i] + samples[i + 1]) // 2 for i in range(0, len(samples) - 1, 2)))


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for digit, reading in enumerate(READINGS):
        rate, samples = read_aloud(reading)
        clip = halved(trimmed(samples))
        if sys.byteorder == "big":
            clip.byteswap()
        with wave.open(str(HERE / f"{digit}.wav"), "wb") as target:
            target.setnchannels(1)
            target.setsampwidth(2)
            target.setframerate(rate // 2)
            target.writeframes(clip.tobytes())
        print(f"{digit}.wav  {reading}  {len(clip) / (rate // 2):.2f} s")


if __name__ == "__main__":
    main()
