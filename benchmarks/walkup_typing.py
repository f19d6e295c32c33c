"""A walk-up in Chromium, typed on the kiosk's on-screen keyboard at a person's pace.

    python -m benchmarks.walkup_typing                      # 3 visitors, 0.35 s a key
    python -m benchmarks.walkup_typing --visitors 5 --key-ms 500 --read-ms 2500

From the first touch ("Register now") to the badge job accepted (the result screen's "take your
badge"), one visitor after another on a portrait kiosk: a Chinese name by pinyin with its
characters picked from the strip, a company, an e-mail with the @ and .com keys, a phone on the
number pad, the consent ticked. Each key and each pick waits --key-ms; each new step waits
--read-ms (reading it). Prints the whole walk-up, the part spent typing and reading, and the rest
(the kiosk: pages, keyboard, server, printing), median and worst. Only the walk-up: the whole
visit from the scan on is the walk-through benchmark's.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from benchmarks.walkup import kiosk_show

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
NAMES = [
    (("wang", "王"), ("xiao", "晓"), ("hong", "红")),
    (("li", "李"), ("xue", "雪"), ("mei", "梅")),
    (("zhang", "张"), ("jian", "建"), ("guo", "国")),
    (("chen", "陈"), ("jing", "静")),
    (("liu", "刘"), ("yang", "洋")),
]


class Visitor:
    """Touches the kiosk as a person does, counting the time they spend on purpose."""

    def __init__(self, page, key_ms: int, read_ms: int):
        self.page = page
        self.key_ms = key_ms
        self.read_ms = read_ms
        self.paced = 0.0

    def wait(self, ms: int) -> None:
        self.page.wait_for_timeout(ms)
        self.paced += ms / 1000

    def touch(self, selector: str) -> None:
        self.page.click(selector)
        self.wait(self.key_ms)

    def key(self, k: str) -> None:
        self.touch(f'#osk .hg-button[data-skbtn="{k}"]')

    def type(self, text: str) -> None:
        for ch in text:
            self.key("{space}" if ch == " " else ch)

    def pinyin(self, syllable: str, character: str) -> None:
        self.type(syllable)
        self.touch(f'#osk .hg-candidate-box-list-item:text-is("{character}")')

    def step(self, name: str) -> None:
        self.page.wait_for_selector(f"#reg-form[data-step={name}]")
        self.wait(self.read_ms)


def walk_up(visitor: Visitor, i: int) -> None:
    """One walk-up, from the idle screen to the badge job accepted."""
    page = visitor.page
    visitor.touch("#btn-register")
    visitor.step("category")
    visitor.touch('[data-category="trade"]')
    visitor.step("full_name")
    for syllable, character in NAMES[i % len(NAMES)]:
        visitor.pinyin(syllable, character)
    visitor.key("{enter}")
    visitor.step("work")
    visitor.key("{mode}")
    visitor.type(f"acme {i}")
    visitor.key("{enter}")
    visitor.step("contact")
    visitor.type(f"visitor{i}")
    visitor.key("@")
    visitor.type("example")
    visitor.key(".com")
    visitor.touch("#reg-phone")
    visitor.type(f"139{i:08d}")
    visitor.key("{enter}")
    visitor.step("consents")
    visitor.touch('[data-consent="terms"]')
    page.click("#reg-submit")
    page.wait_for_function("document.querySelector('#result-print').dataset.kind === 'ok'")


def main(argv=None) -> None:
    """Print the walk-up's time from first touch to badge job accepted, and its parts."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=3)
    parser.add_argument("--key-ms", type=int, default=350, help="between two keys (350)")
    parser.add_argument("--read-ms", type=int, default=2000, help="to read a step (2000)")
    args = parser.parse_args(argv)
    whole, paced = [], []
    with kiosk_show() as (port, token), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1080, "height": 1920})
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/kiosk#token={token}")
        page.wait_for_selector("body[data-screen=idle]")
        for i in range(args.visitors):
            visitor = Visitor(page, args.key_ms, args.read_ms)
            t0 = time.perf_counter()
            walk_up(visitor, i)
            whole.append(time.perf_counter() - t0)
            paced.append(visitor.paced)
            page.click("#screen-result [data-back]")
            page.wait_for_selector("body[data-screen=idle]")
        browser.close()
    kiosk = [w - p for w, p in zip(whole, paced, strict=True)]
    print(
        f"{args.visitors} walk-ups on a 1080x1920 kiosk, {args.key_ms} ms a key,"
        f" {args.read_ms} ms to read a step"
    )
    print(f"{'':28} {'median s':>9} {'worst s':>8}")
    for label, values in (
        ("first touch to badge job", whole),
        ("  typing and reading", paced),
        ("  the kiosk (pages, server)", kiosk),
    ):
        print(f"{label:28} {statistics.median(values):9.1f} {max(values):8.1f}")


if __name__ == "__main__":
    main()
