"""`kiosk badges ...` (preview every layout) and `kiosk scanner` (camera check-in)."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli.options import show_options

SAMPLE_CODE = "K1-PREVIEWPREVIEWPR-EVIEWPREVIEWPREV"


@click.group("badges")
def badges_group():
    """Badge layouts: check and preview them."""


@badges_group.command("preview")
@show_options
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--template", "only", help="one layout id (default: every layout)")
def preview(settings, out_dir: Path, only: str | None):
    """Render every layout for every category with Latin, Chinese and very long sample names."""
    from kiosk.badges import service
    from kiosk.badges.render import badge_data, png_bytes, render
    from kiosk.badges.samples import SAMPLES

    badges = service.load(settings)
    if only and only not in badges.templates:
        raise click.ClickException(f"no template '{only}' (have: {', '.join(badges.templates)})")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for tid, tpl in badges.templates.items():
        if only and tid != only:
            continue
        for i, category in enumerate(settings.categories):
            name, company, title = SAMPLES[i % len(SAMPLES)]
            person = {
                "full_name": name,
                "company": company,
                "job_title": title,
                "category": category,
            }
            image, _ = render(tpl, badge_data(person, settings, SAMPLE_CODE))
            path = out_dir / f"{tid}-{category}.png"
            path.write_bytes(png_bytes(image, tpl.dpi))
            written += 1
    click.echo(f"{written} badges written to {out_dir}")


@click.command("scanner")
@click.option(
    "--camera", "source", required=True, help="camera index (0, 1, ...) or a video or image file"
)
@click.option("--gate", required=True, help="the gate this camera serves")
@click.option(
    "--server", "url", required=True, help="the kiosk server, e.g. http://192.168.1.10:5000"
)
@click.option(
    "--token",
    required=True,
    envvar="KIOSK_SCANNER_TOKEN",
    help="a kiosk device token (or $KIOSK_SCANNER_TOKEN)",
)
@click.option("--direction", type=click.Choice(["in", "out"]), default="in", show_default=True)
@click.option(
    "--hold",
    "hold_s",
    type=click.FloatRange(0, 60),
    default=4.0,
    show_default=True,
    help="seconds during which the same code is not sent again",
)
@click.option(
    "--decoder", type=click.Choice(["zxing", "opencv"]), default="zxing", show_default=True
)
def scanner(source, gate, url, token, direction, hold_s, decoder):
    """Read QR codes from a camera and check them in at a gate."""
    from kiosk.scanning.camera import ScannerError, Server, run
    from kiosk.scanning.decode import DECODERS

    try:
        report = run(
            source,
            gate=gate,
            server=Server(url, token),
            direction=direction,
            hold_s=hold_s,
            decoder=DECODERS[decoder],
            say=click.echo,
        )
    except ScannerError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        return
    click.echo(f"{report.frames} frames, {report.reads} codes read, {report.sent} check-ins sent")
