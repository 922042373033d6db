"""What SQLite's write-ahead log holds: frames (pages written), commits, and the b-tree each page
belongs to — the I/O of a run of calls, counted rather than timed (issue 21).

    PRAGMA wal_checkpoint(TRUNCATE) and wal_autocheckpoint=0 first (`profile_reads --wal` does
    both; a server started with BENCH_WAL_KEEP=1 and bench_settings keeps its WAL), then:
    .venv/bin/python bench/wal_frames.py /tmp/zw/data/zhengwu.sqlite3 --calls 12345

A frame is one page written; a commit's last frame carries the database's size in pages
(https://www.sqlite.org/fileformat.html#the_write_ahead_log). Only the frames of the WAL's
current generation (the header's salts) are counted.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path


def frames(database: Path) -> tuple[list[int], int]:
    """The page number of every frame in the WAL, and how many frames end a commit."""
    data = Path(f"{database}-wal").read_bytes()
    page_size = int.from_bytes(data[8:12], "big")
    salts = data[16:24]
    pages: list[int] = []
    commits = 0
    offset = 32
    while offset + 24 + page_size <= len(data) and data[offset + 8 : offset + 16] == salts:
        pages.append(int.from_bytes(data[offset : offset + 4], "big"))
        commits += int.from_bytes(data[offset + 4 : offset + 8], "big") != 0
        offset += 24 + page_size
    return pages, commits


def owners(database: Path, skip_prefix: str = "xd_") -> dict[int, str]:
    """Page number → the table or index it belongs to (SQLite's dbstat), but for the store's
    tables (`xd_…`: large, and no call of the API writes them)."""
    found: dict[int, str] = {}
    with sqlite3.connect(database) as db:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_schema") if not n.startswith(skip_prefix)]
        for name in ["sqlite_schema", *names]:
            found.update((page, name) for (page,) in db.execute("SELECT pageno FROM dbstat WHERE name = ?", [name]))
    found[1] = "sqlite_schema (page 1: the file header)"
    return found


def report(database: Path, calls: int) -> str:
    pages, commits = frames(database)
    named = owners(database)
    by_owner: dict[str, int] = {}
    for page in pages:
        owner = named.get(page, "other")
        by_owner[owner] = by_owner.get(owner, 0) + 1
    lines = [
        f"WAL: {len(pages):,} frames in {commits:,} commits for {calls:,} calls: "
        f"{len(pages) / calls:.2f} frames and {commits / calls:.3f} commits a call "
        f"({calls / max(commits, 1):.2f} calls a commit)"
    ]
    lines += [f"    {n / calls:6.3f} a call  {owner}" for owner, n in sorted(by_owner.items(), key=lambda kv: -kv[1])]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", type=Path)
    parser.add_argument("--calls", type=int, required=True, help="calls the WAL's frames are divided by")
    args = parser.parse_args()
    print(report(args.database, args.calls))


if __name__ == "__main__":
    main()
