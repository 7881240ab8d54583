"""Where the receiver's time goes: a summary of ``bench/ingest.py --profile DIR`` output.

py-spy (``--threads --idle --format raw``) writes one line per distinct stack with its sample
count. Each sample is put in the first bucket whose marker is on its stack, the innermost
frame first, per thread (the event loop, the writer threads); idle samples (the loop waiting
in its selector, the writer waiting for work or for the database) are left out, so the shares
are of the time the thread was busy. With the frames the receiver handled while py-spy
sampled (``--frames``), each bucket is also given in microseconds per frame.

    .venv/bin/python bench/stacks.py DIR/sqlite-top--mix.txt [--frames N --seconds S]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# (bucket, markers): the first bucket any of whose markers is in a frame's name wins, checked
# from the innermost frame outwards.
BUCKETS: list[tuple[str, tuple[str, ...]]] = [
    ("commit (fsync / round trip)", ("_commit_impl", ".commit (", "do_commit")),
    ("begin (write lock)", ("_sqlite_begin", "_take_turn", "do_begin")),
    ("incidents opened", ("_open_incidents", "_open_missing")),
    ("frame-key lookup", ("_not_stored_yet", "_stored_keys")),
    ("insert rows", ("_insert (", "_write_postgresql", "insert_many")),
    ("last-seen upsert", ("_mark_seen",)),
    ("rows built", ("_row (",)),
    ("rate flags", ("flag_rate_limited",)),
    ("directory", ("Directory.",)),
    ("connection checkout / pool", ("Engine.begin", "_connection_for_bind", "pool/")),
    ("parse (framing, CRC, fields)", ("receive_data", "next_events")),
    ("signals (sink, in the loop)", ("StoreSink.__call__", "signals (")),
    ("admission", ("admission.py",)),
    ("ACK built", ("Connection.ack", "build_ack", "Connection.reply")),
    ("socket write", ("StreamWriter.write", "drain", "transport")),
    ("socket read", ("StreamReader.read",)),
    ("writer wake-up / answers", ("StoreSink._run", "StoreSink._answer", "_take")),
]
_LINE = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")


def thread_of(frames: list[str]) -> str:
    names = " ".join(frames[:6])
    if "MainThread" in names:
        return "event loop"
    if "_worker" in names or "Thread._bootstrap" in names:
        return "writer thread"
    return "other"


def bucket_of(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, markers in BUCKETS:
            if any(marker in frame for marker in markers):
                return name
    leaf = frames[-1] if frames else ""
    if "Runner.run" in leaf or "uvloop" in leaf or "select" in leaf:
        return "idle (loop waiting)"
    if "_worker" in leaf or "queue" in leaf.lower() or "wait" in leaf:
        return "idle (waiting for work)"
    return "other Python"


def summarise(path: Path) -> dict[str, Counter[str]]:
    threads: dict[str, Counter[str]] = {}
    for line in path.read_text().splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        frames = match["stack"].split(";")
        thread = thread_of(frames)
        threads.setdefault(thread, Counter())[bucket_of(frames)] += int(match["count"])
    return threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--frames", type=float, help="frames the receiver handled meanwhile")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long py-spy sampled")
    parser.add_argument("--rate", type=float, default=200.0, help="py-spy's samples per second")
    args = parser.parse_args()
    for path in args.files:
        print(path.name)
        for thread, counts in sorted(summarise(path).items()):
            idle = sum(n for name, n in counts.items() if name.startswith("idle"))
            busy = sum(counts.values()) - idle
            seconds = busy / args.rate
            line = f"  {thread}: busy {seconds:.1f} s of samples"
            if args.frames:
                line += f", {seconds / args.frames * 1e6:.0f} µs per frame"
            print(line)
            for name, count in counts.most_common():
                if name.startswith("idle") or not busy:
                    continue
                per_frame = ""
                if args.frames:
                    per_frame = f"  {count / args.rate / args.frames * 1e6:7.1f} µs/frame"
                print(f"    {name:<32} {count / busy:6.1%} of busy{per_frame}")


if __name__ == "__main__":
    main()
