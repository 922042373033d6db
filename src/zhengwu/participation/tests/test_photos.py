"""Letters with photos: checked by content like service uploads (JPEG/PNG/WebP, size, count),
stored with the letter, shown to the writer and to the staff who may see the letter, never public."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.accounts.models import Department, User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.core.uploads import Upload
from zhengwu.participation import rules, services
from zhengwu.participation.models import Letter, LetterPhoto

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
PDF = b"%PDF-1.4\n% not a photo\n"

LETTER = {"channel": "mayor", "kind": "complain", "title": "路灯不亮", "content": "幸福路8号门前路灯坏了一个月。"}


def write(citizen: User, *photos: Upload) -> Letter:
    letter, _ = services.letter_submit(actor=Actor.person(citizen), **LETTER, photos=list(photos))
    return letter


def test_photos_are_kept_with_the_letter_by_their_content(citizen: User, egov: User) -> None:
    letter = write(citizen, Upload("路灯.jpg", JPEG), Upload("IMG_0001", PNG), Upload("现场.webp", WEBP))
    photos = list(letter.photos.order_by("position"))
    assert [p.content_type for p in photos] == ["image/jpeg", "image/png", "image/webp"]
    assert photos[0].sm3 == sm3_hex(JPEG) and bytes(photos[1].content) == PNG


@pytest.mark.parametrize(
    ("photos", "words"),
    [
        ([Upload("假照片.jpg", PDF)], "仅接受 JPG、PNG、WEBP"),  # the extension lies: the content decides
        ([Upload("空.png", b"")], "文件为空"),
        ([Upload(f"{n}.png", PNG) for n in range(rules.PHOTO_MAX_COUNT + 1)], f"最多 {rules.PHOTO_MAX_COUNT} 张"),
        ([Upload("大.png", PNG + b"\x00" * rules.PHOTO_MAX_BYTES)], "超过 5 MB"),
    ],
)
def test_a_wrong_photo_refuses_the_whole_letter(citizen: User, egov: User, photos: list[Upload], words: str) -> None:
    error, _ = refused_write(
        lambda: services.letter_submit(actor=Actor.person(citizen), **LETTER, photos=photos),
        models=[Letter, LetterPhoto],
        code="participation.invalid_photo",
    )
    assert words in error.message and "photos" in error.fields


def test_the_writer_and_the_staff_see_the_photo_nobody_else(
    client: Any,
    citizen: User,
    outsider: User,
    egov: User,
    market_clerk: User,
    police_clerk: User,
    market_dept: Department,
) -> None:
    web = person_client(citizen)
    response = web.post(
        "/participation/letters/write/",
        {**LETTER, "photos": [SimpleUploadedFile("路灯.png", PNG, content_type="image/png")]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    letter = Letter.objects.get(writer=citizen)
    photo = letter.photos.get()
    own = f"/participation/letters/mine/{letter.number}/photos/{photo.pk}/"
    assert own in web.get(f"/participation/letters/mine/{letter.number}/").content.decode()
    got = web.get(own)
    assert got.status_code == 200 and got["Content-Type"] == "image/png" and got.content == PNG
    assert got["X-Content-Type-Options"] == "nosniff"
    assert person_client(outsider).get(own).status_code == 404
    assert client.get(own).status_code == 302  # to the login page
    staff = f"/workbench/participation/letters/{letter.pk}/photos/{photo.pk}/"
    office = staff_client(egov)
    assert staff in office.get(f"/workbench/participation/letters/{letter.pk}/").content.decode()
    assert office.get(staff).content == PNG
    # not yet dispatched: 市场监管厅 cannot see the letter, nor its photo
    assert staff_client(market_clerk).get(staff).status_code == 404
    services.letter_accept(actor=Actor.person(egov), letter=letter)
    services.letter_dispatch(actor=Actor.person(egov), letter=letter, department=market_dept, note="请处理")
    assert staff_client(market_clerk).get(staff).content == PNG
    assert staff_client(police_clerk).get(staff).status_code == 404
    # the public letter pages never show it
    assert photo.sm3 not in client.get("/participation/letters/").content.decode()


def test_a_letter_without_photos_is_written_as_before(citizen: User, egov: User) -> None:
    response = person_client(citizen).post("/participation/letters/write/", LETTER)
    assert response.status_code == 302 and Letter.objects.get(writer=citizen).photos.count() == 0
