"""Lock-out per kind of account and the login CAPTCHA (accounts/lockout.py, docs/rules.md §9)."""

from __future__ import annotations

import io
import re
import wave
from datetime import timedelta

import pytest
from captcha.models import CaptchaStore
from django.test import Client
from django.utils import timezone

from zhengwu.accounts import captcha
from zhengwu.accounts.models import User
from zhengwu.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HOME = "198.51.100.10"
STRANGER = "203.0.113.66"


def _captcha_answer(page: str) -> dict[str, str]:
    """The hidden key of the CAPTCHA on `page` and its right answer (read from the store)."""
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page)
    assert key is not None, "no CAPTCHA on the page"
    store = CaptchaStore.objects.get(hashkey=key.group(1))
    return {"captcha_0": store.hashkey, "captcha_1": store.response}


def fail_login(client: Client, username: str, page: str) -> str:
    data = {"username": username, "password": "wrong-password"}
    if 'name="captcha_0"' in page:
        data.update(_captcha_answer(page))
    response = client.post("/accounts/login/", data)
    return str(response.content.decode())


def test_a_stranger_elsewhere_cannot_lock_a_citizen_out(citizen: User) -> None:
    stranger = Client(REMOTE_ADDR=STRANGER)
    page = stranger.get("/accounts/login/").content.decode()
    for _ in range(10):
        page = fail_login(stranger, citizen.username, page)
    # The stranger locked only himself …
    blocked = stranger.post("/accounts/login/", {"username": citizen.username, "password": PASSWORD})
    assert blocked.status_code in (200, 403) and not blocked.wsgi_request.user.is_authenticated
    # … the citizen at his own address still gets in (with the CAPTCHA the failures made due).
    own = Client(REMOTE_ADDR=HOME)
    response = own.post("/accounts/login/", {"username": citizen.username, "password": PASSWORD})
    assert response.status_code == 200 and 'name="captcha_0"' in response.content.decode()
    data = {"username": citizen.username, "password": PASSWORD, **_captcha_answer(response.content.decode())}
    response = own.post("/accounts/login/", data)
    assert response.status_code == 302 and response.url == "/"


def test_staff_still_lock_after_five(market_clerk: User) -> None:
    client = Client(REMOTE_ADDR=HOME)
    page = client.get("/accounts/login/").content.decode()
    for _ in range(5):
        page = fail_login(client, market_clerk.username, page)
    data = {"username": market_clerk.username, "password": PASSWORD}
    if 'name="captcha_0"' in page:
        data.update(_captcha_answer(page))
    response = client.post("/accounts/login/", data)
    assert response.status_code in (403, 429) and "临时锁定" in response.content.decode()


def test_the_captcha_appears_after_three_failures_and_is_enforced(citizen: User) -> None:
    client = Client(REMOTE_ADDR=HOME)
    page = client.get("/accounts/login/").content.decode()
    assert 'name="captcha_0"' not in page
    for number in range(1, 4):
        page = fail_login(client, citizen.username, page)
        assert ('name="captcha_0"' in page) == (number >= 3), number
    assert "图形验证码" in page and 'src="/captcha/image/' in page
    # Without the CAPTCHA, or with a wrong one, even the right password is not tried.
    response = client.post("/accounts/login/", {"username": citizen.username, "password": PASSWORD})
    assert response.status_code == 200 and "验证码：必填" in response.content.decode()
    wrong = {**_captcha_answer(response.content.decode()), "captcha_1": "zzzz"}
    response = client.post("/accounts/login/", {"username": citizen.username, "password": PASSWORD, **wrong})
    assert "验证码：输入的数字与图中不一致" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    # The image itself is served from this site (the page's CSP allows 'self' images).
    image = re.search(r'src="(/captcha/image/[0-9a-f]+/)"', response.content.decode())
    assert image is not None
    served = client.get(image.group(1))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    right = _captcha_answer(response.content.decode())
    response = client.post("/accounts/login/", {"username": citizen.username, "password": PASSWORD, **right})
    assert response.status_code == 302


def _wav(content: bytes) -> tuple[int, int]:
    """(frame rate, frames) of a WAV file."""
    with wave.open(io.BytesIO(content), "rb") as sound:
        return sound.getframerate(), sound.getnframes()


def test_the_audio_captcha_reads_the_challenge_in_mandarin_without_a_system_tool(citizen: User) -> None:
    """The audio alternative works with no `flite` (accounts/captcha.py): the page links it, it is a WAV
    of exactly the challenge's digits, and a wrong or expired key gets no audio of another challenge."""
    client = Client(REMOTE_ADDR=HOME)
    page = client.get("/accounts/login/").content.decode()
    for _ in range(3):
        page = fail_login(client, citizen.username, page)
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page)
    assert key is not None and "听语音验证码" in page and 'inputmode="numeric"' in page
    store = CaptchaStore.objects.get(hashkey=key.group(1))
    assert re.fullmatch(r"\d{4}", store.challenge) and store.response == store.challenge
    link = re.search(r'href="(/captcha/audio/[0-9a-f]+\.wav)"', page)
    assert link is not None and key.group(1) in link.group(1)
    audio = client.get(link.group(1))
    assert audio.status_code == 200 and audio["Content-Type"] == "audio/wav"
    # Its length is the lead-in, each digit's recording and the gaps between them: these digits, no others.
    clips = {d: _wav((captcha.CLIPS / f"{d}.wav").read_bytes()) for d in captcha.DIGITS}
    rate = clips["0"][0]
    expected = (
        int(rate * captcha.LEAD_SECONDS)
        + sum(clips[d][1] for d in store.challenge)
        + int(rate * captcha.GAP_SECONDS) * (len(store.challenge) - 1)
    )
    assert _wav(audio.content) == (rate, expected)
    assert len({frames for _, frames in clips.values()}) > 1  # the digits' recordings differ in length
    # Not read from anything but the store: an unknown key or an expired challenge gets no sound.
    assert client.get("/captcha/audio/" + "0" * 40 + ".wav").status_code == 410
    CaptchaStore.objects.filter(pk=store.pk).update(expiration=timezone.now() - timedelta(seconds=1))
    gone = client.get(link.group(1))
    assert gone.status_code == 410 and gone.get("Content-Type", "") != "audio/wav"


def test_the_audio_is_the_digits_joined() -> None:
    rate, _ = _wav((captcha.CLIPS / "0.wav").read_bytes())
    one = _wav(captcha.challenge_audio("7"))[1]
    assert one == int(rate * captcha.LEAD_SECONDS) + _wav((captcha.CLIPS / "7.wav").read_bytes())[1]
    assert _wav(captcha.challenge_audio("77"))[1] == 2 * one - int(rate * captcha.LEAD_SECONDS) + int(
        rate * captcha.GAP_SECONDS
    )
    with pytest.raises(ValueError, match="digits only"):
        captcha.challenge_audio("AB12")
