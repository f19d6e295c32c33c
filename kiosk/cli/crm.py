"""The after-show commands: import history, export, sync, erase, report."""

from __future__ import annotations

import os
from pathlib import Path

import click

from kiosk.cli.options import progress, services_for, show_options


def register(cli: click.Group, import_group: click.Group) -> None:
    """Attach the CRM commands to the `kiosk` command line."""
    from kiosk.crm.export import FORMATS

    @import_group.command("history")
    @show_options
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def import_history_cmd(settings, file):
        """Import earlier editions' attendance (external_id/email, edition, year, attended)."""
        from kiosk.crm.history import import_history

        report = import_history(services_for(settings).store, file, progress=progress)
        for line, reason in report.errors:
            click.echo(f"{file}:{line}: {reason}", err=True)
        click.echo(report.line())

    @cli.command("export")
    @show_options
    @click.option("--format", "fmt", required=True, type=click.Choice((*FORMATS, "confirmations")))
    @click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False))
    @click.option(
        "--mapping",
        "mapping_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="with --format mapped: the TOML file describing the CRM's import columns",
    )
    def export_cmd(settings, fmt, out_dir, mapping_file):
        """Write the post-show export (only what consents allow), or the confirmations."""
        from kiosk.crm.export import run_export
        from kiosk.crm.mapping import MappingError

        if fmt == "confirmations":
            from kiosk.mailing.confirmations import export

            svc = services_for(settings)
            done = export(svc.store, settings, svc.keys, Path(out_dir), progress=progress)
            if done.warning:
                click.echo(f"kiosk: warning: {done.warning}", err=True)
            click.echo(done.line())
            return
        if mapping_file is not None and fmt != "mapped":
            raise click.BadParameter("only with --format mapped", param_hint="--mapping")
        try:
            summary = run_export(
                services_for(settings).store,
                settings,
                fmt,
                Path(out_dir),
                progress=progress,
                mapping_file=mapping_file,
            )
        except MappingError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(summary.line())

    @cli.group("sync")
    def sync():
        """Push the show to a CRM; a rerun sends only what changed."""

    @sync.command("webhook")
    @show_options
    @click.option("--url", required=True, help="the endpoint receiving JSON batches")
    @click.option(
        "--secret",
        envvar="KIOSK_WEBHOOK_SECRET",
        required=True,
        help="HMAC-SHA256 key (or $KIOSK_WEBHOOK_SECRET)",
    )
    @click.option("--batch-size", default=100, show_default=True, type=click.IntRange(1, 5000))
    @click.option("--max-retries", default=8, show_default=True, type=click.IntRange(0, 100))
    @click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1, 600))
    def sync_webhook_cmd(settings, url, secret, batch_size, max_retries, timeout):
        """Send signed JSON batches; Ctrl-C or a crash resumes where it stopped."""
        from kiosk.crm.webhook import SyncError, Webhook, sync_webhook

        if not url.startswith(("https://", "http://")):
            raise click.BadParameter("expected an http(s) URL", param_hint="--url")
        hook = Webhook(
            url,
            secret,
            timeout=timeout,
            max_retries=max_retries,
            on_retry=lambda message: click.echo(f"kiosk: sync: {message}", err=True),
        )
        try:
            report = sync_webhook(
                services_for(settings).store,
                settings,
                hook,
                batch_size=batch_size,
                progress=progress,
            )
        except SyncError as exc:
            raise click.ClickException(str(exc)) from exc
        finally:
            hook.close()
        click.echo(report.line())

    @sync.command("tryton")
    @show_options
    @click.option(
        "--url",
        envvar="KIOSK_TRYTON_URL",
        required=True,
        help="trytond URL with user, password and database (or $KIOSK_TRYTON_URL),"
        " e.g. http://admin:secret@127.0.0.1:8000/show/",
    )
    @click.option(
        "--workers",
        default=1,
        show_default=True,
        type=click.IntRange(1, 16),
        help="batches in Tryton at once, each over its own session (for a trytond with"
        " several worker processes)",
    )
    @click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 5000))
    def sync_tryton_cmd(settings, url, workers, batch_size):
        """People become parties, hot leads become opportunities; a rerun changes nothing."""
        from kiosk.crm.tryton import TrytonError, sync_tryton

        try:
            report = sync_tryton(
                services_for(settings).store,
                settings,
                url,
                progress=progress,
                workers=workers,
                batch_size=batch_size,
            )
        except TrytonError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(report.line())

    @cli.command("erase")
    @show_options
    @click.argument("attendee_id", type=int, required=False)
    @click.option(
        "--contact",
        default="",
        help="instead of ATTENDEE_ID: the e-mail or phone on business cards of someone"
        " not registered",
    )
    @click.option("--reason", default="", help="e.g. the request reference")
    def erase_cmd(settings, attendee_id, contact, reason):
        """Erase a person's personal data (their merged duplicates' and business cards too)."""
        from kiosk.crm.erase import erase, erase_contact
        from kiosk.errors import DomainError

        if (attendee_id is None) == (not contact):
            raise click.UsageError("give either ATTENDEE_ID or --contact")
        actor = f"cli:{os.environ.get('USER', 'unknown')}"
        try:
            svc = services_for(settings)
            if contact:
                count = erase_contact(
                    svc.store, contact, region=settings.default_region, actor=actor, reason=reason
                )
                click.echo(f"{count} business card(s) erased")
                return
            done = erase(svc.store, svc.keys, attendee_id, actor=actor, reason=reason)
        except DomainError as exc:
            raise click.ClickException(str(exc)) from exc
        if not done.wal_truncated:
            click.echo(
                "kiosk: erase: a reader kept an older snapshot open, so the write-ahead log"
                " still holds pages from before the erasure until the last process using the"
                " database closes it (restart `kiosk serve` to empty it now)",
                err=True,
            )
        duplicates = [str(i) for i in done.attendee_ids if i != attendee_id]
        also = f" with merged duplicates {', '.join(duplicates)}" if duplicates else ""
        click.echo(f"attendee {attendee_id} erased{also}")

    @cli.command("report")
    @show_options
    @click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False))
    def report_cmd(settings, out_dir):
        """Write the post-show report: one self-contained HTML page with charts."""
        from kiosk.crm.report import write_report

        path = write_report(
            services_for(settings).store, settings, Path(out_dir), progress=progress
        )
        click.echo(f"report: {path}")
