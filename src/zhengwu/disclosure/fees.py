"""Information processing fees (信息处理费, 《政府信息公开条例》Art. 42; 国办函〔2020〕109号).

Pure functions over the applicant's running total in one calendar month (docs/rules.md §4):

- by requests (按件计收): requests 1–10 are free; 11–30 cost ¥100 each; from the 31st on the
  price rises by ¥100 for every further block of 10 (31–40 ¥200, 41–50 ¥300, …);
- by pages (按量计收): pages 1–30 are free; 31–100 ¥10 each; 101–200 ¥20 each; over 200 ¥40 each.

`*_total(n)` is the fee of the first n units of the month; the fee of one more request (or of
k more pages) is the difference of two totals (`request_fee`, `pages_fee`).
"""

from __future__ import annotations

from decimal import Decimal

FREE_REQUESTS = 10
FREE_PAGES = 30
PAGE_BANDS: tuple[tuple[int, int], ...] = ((30, 0), (100, 10), (200, 20))  # (up to page, price)
OVER_200_PRICE = 40


def request_price(n: int) -> int:
    """The price in yuan of the n-th request of the month (n ≥ 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    if n <= FREE_REQUESTS:
        return 0
    if n <= 30:
        return 100
    return 100 + 100 * ((n - 31) // 10 + 1)


def requests_total(n: int) -> Decimal:
    """The fee of the first n requests of the month."""
    if n < 0:
        raise ValueError("n must not be negative")
    return Decimal(sum(request_price(i) for i in range(1, n + 1)))


def page_price(n: int) -> int:
    """The price in yuan of the n-th page of the month (n ≥ 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    for upto, price in PAGE_BANDS:
        if n <= upto:
            return price
    return OVER_200_PRICE


def pages_total(n: int) -> Decimal:
    """The fee of the first n pages of the month."""
    if n < 0:
        raise ValueError("n must not be negative")
    total = 0
    lower = 0
    for upto, price in PAGE_BANDS:
        total += max(0, min(n, upto) - lower) * price
        lower = upto
    total += max(0, n - lower) * OVER_200_PRICE
    return Decimal(total)


def request_fee(*, earlier_requests: int) -> Decimal:
    """The fee of one more request when the applicant already made `earlier_requests` this month."""
    return requests_total(earlier_requests + 1) - requests_total(earlier_requests)


def pages_fee(*, earlier_pages: int, pages: int) -> Decimal:
    """The fee of `pages` more pages when `earlier_pages` were already provided this month."""
    return pages_total(earlier_pages + pages) - pages_total(earlier_pages)
