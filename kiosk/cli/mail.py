"""Before the show: `kiosk mail confirmations`, `kiosk invitations`, `kiosk mail invitations`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from kiosk.cli.options import progress, services_for, show_options

SEGMENTS = ("regulars", "lapsed", "key-accounts", "all")


def _actor() -> str:
    return f"cli:{os.environ.get('USER', 'unknown')}"


def _send_options(command):
    command = click.option(
        "--resend-in-doubt",
        is_flag=True,
        help="also send the messages a crash cut off while sending (the server may have them)",
    )(command)
    command = click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="with --dry-run: the folder for the .eml files",
    )(command)
    return click.option(
        "--dry-run", is_flag=True, help="write the messages as .eml files into --out instead"
    )(command)


def _run(settings, svc, kind, build_items, dry_run, out_dir, resend_in_doubt):
    """Send (or write) the messages, then print the summary and every refusal."""
    from kiosk.mailing import outbox, setup
    from kiosk.mailing.ebadge import EBadges
    from kiosk.mailing.messages import Templates

    if dry_run and out_dir is None:
        raise click.BadParameter("--dry-run needs --out DIR", param_hint="--out")
    if out_dir is not None and not dry_run:
        raise click.BadParameter("--out is for --dry-run only", param_hint="--out")
    mail = None if dry_run else setup.load(settings)
    sender = setup.sender_only(settings)
    templates = Templates(
        setup.templates_dir(settings), settings.languages, settings.default_language
    )
    ebadges = EBadges(settings)
    try:
        items = build_items(templates, ebadges, sender)
        if ebadges.warning and kind == "confirmation":
            click.echo(f"kiosk: warning: {ebadges.warning}", err=True)
        if dry_run:
            report = outbox.dry_run(
                svc.store,
                kind,
                items,
                out_dir,
                resend_in_doubt=resend_in_doubt,
                progress=progress,
            )
        else:
            report = outbox.deliver(
                svc.store,
                kind,
                items,
                outbox.SmtpTransport(mail),
                rate_per_minute=mail.rate_per_minute,
                actor=_actor(),
                resend_in_doubt=resend_in_doubt,
                progress=progress,
            )
    finally:
        ebadges.close()
    click.echo(report.line())
    for label, address, detail in report.refusals:
        click.echo(f"refused: {label} <{address}>: {detail}", err=True)
    if report.stopped:
        raise click.ClickException(report.stopped)


def register(cli: click.Group) -> None:
    """Attach the mail and invitation commands to the `kiosk` command line."""

    @cli.group("mail")
    def mail():
        """Mail people over SMTP ([mail] in the configuration); each message goes once."""

    @mail.command("confirmations")
    @show_options
    @_send_options
    def mail_confirmations(settings, dry_run, out_dir, resend_in_doubt):
        """Mail each person with a live badge their QR code and PDF e-badge, once per code."""
        from kiosk.mailing import confirmations

        svc = services_for(settings)

        def items(templates, ebadges, sender):
            return confirmations.recipients(
                svc.store, settings, svc.keys, templates, ebadges, sender
            )

        _run(settings, svc, confirmations.KIND, items, dry_run, out_dir, resend_in_doubt)

    @mail.command("invitations")
    @show_options
    @click.option("--segment", required=True, type=click.Choice(SEGMENTS))
    @_send_options
    def mail_invitations(settings, segment, dry_run, out_dir, resend_in_doubt):
        """Invite earlier editions' people of a segment to register, once per person and show."""
        from kiosk.mailing import invitations

        svc = services_for(settings)

        def items(templates, ebadges, sender):
            return invitations.recipients(svc.store, settings, segment, templates, sender)

        _run(settings, svc, invitations.KIND, items, dry_run, out_dir, resend_in_doubt)

    @cli.command("invitations")
    @show_options
    @click.option("--segment", required=True, type=click.Choice(SEGMENTS))
    @click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False))
    def invitations_cmd(settings, segment, out_dir):
        """List who a segment's invitation goes to, and why, as invitations.csv."""
        from kiosk.mailing import invitations

        summary = invitations.export(services_for(settings).store, settings, segment, Path(out_dir))
        click.echo(summary.line())
