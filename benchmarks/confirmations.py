"""Confirmations benchmark: `kiosk export --format confirmations` and `kiosk mail confirmations
--dry-run` for a show of many pre-registered people (half Chinese names, half Latin).

    python benchmarks/confirmations.py                  # 20,000 people
    python benchmarks/confirmations.py --people 500     # a quick look

The people come in through `kiosk import attendees` (real badge codes). Each command runs in its
own process; its CPU time and peak resident memory come from the operating system (wait4),
Python included. On a shared machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧阳"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉力鹏宇浩然子轩梓涵欣怡雨萱思远志强海燕晓东红梅丹凤玉兰春生永福国庆小龙佳琪俊杰"
LATIN_FIRST = ["Anna", "Lukas", "Maria", "James", "Sofia", "Pierre", "Yuki", "Omar", "Elena", "Tom"]
LATIN_LAST = ["Müller", "Smith", "García", "Rossi", "Dubois", "Tanaka", "Haddad", "Novak", "Berg"]
COMPANIES = ["上海精密机械有限公司", "深圳智能科技", "Acme GmbH", "Northwind Trading", "北京华信"]


def make_csv(path: Path, people: int, seed: int = 1) -> None:
    """An import file of `people` pre-registrations."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["external_id", "full_name", "company", "email", "category", "language"])
        for n in range(1, people + 1):
            if n % 2:
                name = rng.choice(FAMILY) + "".join(rng.choice(GIVEN) for _ in range(2))
                lang = "zh"
            else:
                name = f"{rng.choice(LATIN_FIRST)} {rng.choice(LATIN_LAST)}"
                lang = "en"
            category = rng.choice(["visitor", "trade", "media", "vip"])
            out.writerow(
                [f"B-{n:06d}", name, rng.choice(COMPANIES), f"p{n}@example.com", category, lang]
            )


def run(argv: list[str], env: dict) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak MiB, last line) of one `kiosk` command, own process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", *argv],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"kiosk {' '.join(argv)} failed: {out}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, out.strip().splitlines()[-1]


def main() -> None:
    """Build the show, run both commands, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        folder = Path(tmp)
        config = folder / "event.toml"
        config.write_text(
            (ROOT / "config" / "event.toml").read_text(encoding="utf-8")
            + '\n[mail]\nhost = "127.0.0.1"\nsender = "expo@example.org"\n',
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "KIOSK_DB": str(folder / "kiosk.db"),
            "KIOSK_CONFIG": str(config),
        }
        make_csv(folder / "people.csv", args.people)
        run(["init"], env)
        seconds, cpu, _, _ = run(["import", "attendees", str(folder / "people.csv")], env)
        print(f"import of {args.people} people: {seconds:.1f} s (CPU {cpu:.1f} s)", flush=True)
        for name, argv in (
            ("export --format confirmations", ["export", "--format", "confirmations"]),
            ("mail confirmations --dry-run", ["mail", "confirmations", "--dry-run"]),
        ):
            seconds, cpu, peak, line = run([*argv, "--out", str(folder / name.split()[0])], env)
            print(
                f"{name}: {seconds:.1f} s, CPU {cpu:.1f} s ({cpu / args.people * 1000:.1f} ms"
                f" a person), peak {peak:.0f} MiB — {line}",
                flush=True,
            )


if __name__ == "__main__":
    main()
