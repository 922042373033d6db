"""The login CAPTCHA's challenge and its audio alternative (docs/rules.md §9).

The challenge is 4 digits: easier than letters for older people to read in the picture, to type
(a number pad on the phone) and to hear. The audio reads the digits in Mandarin from recordings
shipped with the code (`data/captcha_audio/<digit>.wav`, made once by `data/build_captcha_audio.py`),
joined with the `wave` module, so no speech synthesiser is needed on the server (django-simple-captcha's
own audio runs `flite`, an English voice, at every request). The recordings are the same every time:
like the picture, the audio slows a guesser down but does not stop a determined program.
"""

from __future__ import annotations

import io
import secrets
import wave
from functools import cache
from pathlib import Path

from django.conf import settings

CLIPS = Path(__file__).parent / "data" / "captcha_audio"
DIGITS = "0123456789"
LEAD_SECONDS = 0.5  # silence before the first digit (players clip the start)
GAP_SECONDS = 0.7  # silence between digits, time to write each one down


def digit_challenge() -> tuple[str, str]:
    """CAPTCHA_CHALLENGE_FUNCT: (the challenge shown and read aloud, the expected answer)."""
    digits = "".join(secrets.choice(DIGITS) for _ in range(settings.CAPTCHA_LENGTH))
    return digits, digits


@cache
def _clip(digit: str) -> tuple[wave._wave_params, bytes]:
    with wave.open(str(CLIPS / f"{digit}.wav"), "rb") as source:
        return source.getparams(), source.readframes(source.getnframes())


def _silence(params: wave._wave_params, seconds: float) -> bytes:
    return b"\x00" * (int(params.framerate * seconds) * params.sampwidth * params.nchannels)


def challenge_audio(challenge: str) -> bytes:
    """A WAV file reading `challenge` (digits only) aloud, digit by digit."""
    if not challenge or any(c not in DIGITS for c in challenge):
        raise ValueError("the audio CAPTCHA reads digits only")
    params = _clip(challenge[0])[0]
    frames = [_silence(params, LEAD_SECONDS)]
    for position, digit in enumerate(challenge):
        if position:
            frames.append(_silence(params, GAP_SECONDS))
        frames.append(_clip(digit)[1])
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setparams(params)
        target.writeframes(b"".join(frames))
    return out.getvalue()
