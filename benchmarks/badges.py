"""Badge rendering time per badge, PNG and PDF, for every layout in badge_templates/.

python -m benchmarks.badges              # 30 badges per layout (a few seconds)
python -m benchmarks.badges --badges 200
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from kiosk import config
from kiosk.badges import service
from kiosk.badges.render import badge_data, pdf_bytes, png_bytes, render
from kiosk.badges.samples import SAMPLES

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> None:
    """Print median and p95 ms per badge: layout only, PNG, PDF."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, default=30, help="badges per layout")
    args = parser.parse_args(argv)
    settings = config.load(ROOT / "config" / "event.toml", "/nonexistent/bench.db")
    t0 = time.perf_counter()
    badges = service.load(settings)
    print(
        f"loading {len(badges.templates)} layouts and their fonts: {(time.perf_counter() - t0) * 1000:.0f} ms"
    )
    categories = list(settings.categories)
    print(
        f"{'layout':12} {'size px':>11} {'draw ms':>8} {'PNG ms':>8} {'PDF ms':>8} {'PNG p95':>8} {'PDF p95':>8}"
    )
    for tid, tpl in badges.templates.items():
        draw, png, pdf = [], [], []
        for i in range(args.badges + 3):
            name, company, title = SAMPLES[i % len(SAMPLES)]
            person = {
                "full_name": f"{name} {i}",
                "company": company,
                "job_title": title,
                "category": categories[i % len(categories)],
            }
            data = badge_data(person, settings, f"K1-ABCDEFGHIJKLMN{i % 10}P-QRSTUVWXYZ234567")
            t0 = time.perf_counter()
            image, _ = render(tpl, data)
            t1 = time.perf_counter()
            png_bytes(image, tpl.dpi)
            t2 = time.perf_counter()
            pdf_bytes(image, tpl.dpi)
            t3 = time.perf_counter()
            d, p, f = (t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000
            if i >= 3:  # the first few warm the font cache
                draw.append(d)
                png.append(d + p)
                pdf.append(d + f)
        q = lambda xs: statistics.quantiles(xs, n=20)[18]  # noqa: E731
        w, h = tpl.size_px
        print(
            f"{tid:12} {f'{w}x{h}':>11} {statistics.median(draw):8.1f} {statistics.median(png):8.1f}"
            f" {statistics.median(pdf):8.1f} {q(png):8.1f} {q(pdf):8.1f}"
        )


if __name__ == "__main__":
    main()
