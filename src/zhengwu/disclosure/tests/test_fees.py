"""Information processing fees (Art. 42, 国办函〔2020〕109号) at every step of both scales."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhengwu.disclosure import fees


@pytest.mark.parametrize(
    ("n", "price"),
    [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (50, 300), (51, 400), (61, 500)],
)
def test_price_of_the_nth_request(n: int, price: int) -> None:
    assert fees.request_price(n) == price


@pytest.mark.parametrize(
    ("n", "total"),
    [
        (0, 0),
        (10, 0),  # 1–10 free
        (11, 100),
        (30, 2000),  # 20 × 100
        (31, 2200),  # + 200
        (40, 4000),  # 2000 + 10 × 200
        (41, 4300),  # + 300
        (50, 7000),  # 4000 + 10 × 300
        (51, 7400),  # + 400
        (60, 11000),  # 7000 + 10 × 400
    ],
)
def test_total_by_requests(n: int, total: int) -> None:
    assert fees.requests_total(n) == Decimal(total)


@pytest.mark.parametrize(
    ("n", "price"), [(1, 0), (30, 0), (31, 10), (100, 10), (101, 20), (200, 20), (201, 40), (1000, 40)]
)
def test_price_of_the_nth_page(n: int, price: int) -> None:
    assert fees.page_price(n) == price


@pytest.mark.parametrize(
    ("n", "total"),
    [
        (0, 0),
        (30, 0),  # 1–30 free
        (31, 10),
        (100, 700),  # 70 × 10
        (101, 720),  # + 20
        (200, 2700),  # 700 + 100 × 20
        (201, 2740),  # + 40
        (250, 4700),  # 2700 + 50 × 40
    ],
)
def test_total_by_pages(n: int, total: int) -> None:
    assert fees.pages_total(n) == Decimal(total)
    assert fees.pages_total(n) == Decimal(sum(fees.page_price(i) for i in range(1, n + 1)))


def test_increments_follow_the_month() -> None:
    assert fees.request_fee(earlier_requests=9) == 0  # the 10th request
    assert fees.request_fee(earlier_requests=10) == 100  # the 11th
    assert fees.request_fee(earlier_requests=30) == 200  # the 31st
    assert fees.pages_fee(earlier_pages=0, pages=30) == 0
    assert fees.pages_fee(earlier_pages=20, pages=20) == 100  # pages 21–40: 10 charged
    assert fees.pages_fee(earlier_pages=190, pages=20) == 10 * 20 + 10 * 40


@pytest.mark.parametrize("bad", [0, -1])
def test_nonsense_counts_are_rejected(bad: int) -> None:
    with pytest.raises(ValueError):
        fees.request_price(bad)
    with pytest.raises(ValueError):
        fees.page_price(bad)
    if bad < 0:
        with pytest.raises(ValueError):
            fees.requests_total(bad)
        with pytest.raises(ValueError):
            fees.pages_total(bad)
