"""The `kiosk` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kiosk.cli import crm, entrance, mail
from kiosk.cli.options import progress, services_for, show_options
from kiosk.config import ConfigError
from kiosk.devices import DIRECTIONS, PRINTING, ROLES, create_device
from kiosk.errors import DomainError
from kiosk.secrets import MissingSecrets, rotate_badge_key
from kiosk.services import database_name, initialise
from kiosk.storage.backup import BackupError
from kiosk.storage.guard import ShowBusy
from kiosk.storage.transfer import TransferError


def user_errors() -> tuple[type[Exception], ...]:
    """The errors that end a command with one line on stderr (exit 2), not a traceback."""
    # Imported here: the importer pulls in search keys (pypinyin), which most commands never use.
    from kiosk.attendees.importer import ImportFileError

    return (
        ConfigError,
        MissingSecrets,
        ImportFileError,
        DomainError,
        FileNotFoundError,
        BackupError,
        ShowBusy,
        TransferError,
        OSError,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), hidden=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False), hidden=True)
@click.option("--database-url", "database_url", hidden=True)
def cli(config_path, db_path, database_url):
    """On-site check-in and lead capture for trade shows."""


@cli.command()
@show_options
@click.option(
    "--force",
    is_flag=True,
    help="create an empty show even where the key file or a backup says a show existed",
)
def init(settings, force):
    """Create or migrate the database and generate the signing keys."""
    created, applied = initialise(settings, force=force)
    if created:
        click.echo(f"keys: created {settings.secret_path}")
    click.echo(f"database: {database_name(settings)} ({len(applied)} migrations applied)")


@cli.command()
@show_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--threads",
    default=512,
    show_default=True,
    type=click.IntRange(16, 4096),
    help="each open live connection (kiosk, phone, dashboard) holds one; keep it above their number",
)
@click.option("--tls", is_flag=True, help="also serve HTTPS (for phones) with the show's own CA")
@click.option("--tls-port", default=5443, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--message-queue",
    help="redis://HOST:PORT/DB shared by the show's nodes behind a load balancer"
    " (default $KIOSK_MESSAGE_QUEUE or [live] message_queue; none: one node)",
)
def serve(settings, host, port, threads, tls, tls_port, message_queue):
    """Serve the web app, the API and Socket.IO (gunicorn, gthread)."""
    from kiosk import create_app
    from kiosk.config import message_queue as checked_queue
    from kiosk.server import serve as run
    from kiosk.storage.guard import hold_serving_lock

    if message_queue is not None:
        settings.message_queue = checked_queue(message_queue, "--message-queue")
    if not settings.database_url:
        hold_serving_lock(settings.db_path)  # tells `kiosk restore` the show is being served
    app = create_app(settings)  # never creates a database: a missing one names `kiosk init`
    tls_options = None
    click.echo(f"serving {database_name(settings)} on http://{host}:{port}/", err=True)
    if settings.message_queue:
        click.echo("sharing live events and state through the message queue", err=True)
    if tls:
        from kiosk.tls import ca_cert_path, ensure_server_certificate

        if tls_port == port:
            raise click.BadParameter("must differ from --port", param_hint="--tls-port")
        certfile, keyfile = ensure_server_certificate(settings, host)
        tls_options = (certfile, keyfile, tls_port)
        click.echo(
            f"and on https://{host}:{tls_port}/ (CA root: {ca_cert_path(settings)})", err=True
        )
    run(app, host, port, threads=threads, tls=tls_options)


@cli.command("demo-data")
@show_options
@click.option("--people", default=300, show_default=True, type=click.IntRange(1, 200_000))
@click.option(
    "--qr-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="also write the demo badge codes as QR images into this folder",
)
def demo_data(settings, people, qr_dir):
    """Fill the database with a demo show and print the demo credentials and badge codes."""
    from kiosk.demo import create_demo_show, write_badge_qrs

    credentials = create_demo_show(services_for(settings), people=people)
    for line in credentials.lines():
        click.echo(line)
    if qr_dir is not None:
        for path in write_badge_qrs(credentials, qr_dir):
            click.echo(f"qr        {path}")


@cli.command()
@show_options
@click.argument("dest", type=click.Path(path_type=Path))
def backup(settings, dest):
    """Copy the show and its key file to DEST while it runs (a folder: a dated copy inside)."""
    from kiosk.storage.backup import backup as backup_show

    _sqlite_only(settings, "backup")
    report = backup_show(settings.db_path, settings.secret_path, dest)
    click.echo(f"backup: {report.path} with its key file {report.keys.name} ({report.summary()})")


def _sqlite_only(settings, command: str) -> None:
    if settings.database_url:
        raise click.UsageError(
            f"kiosk {command} is for a SQLite show; back PostgreSQL up with its own tools"
            " (pg_dump, WAL archiving): see docs/postgresql.md"
        )


@cli.command("migrate-to")
@show_options
@click.argument("url")
def migrate_to(settings, url):
    """Move the SQLite show (--db) into an empty PostgreSQL database at URL (the server stopped).

    Every row is copied with its ids in one transaction and each table's count checked; then
    serve with `--database-url URL` (the key file stays where it is: give it to every node).
    """
    from kiosk.services import open_services
    from kiosk.storage import pg_schema
    from kiosk.storage.guard import exclusive
    from kiosk.storage.postgres import PgStore, is_url, masked
    from kiosk.storage.transfer import copy_show

    if not is_url(url):
        raise click.BadParameter("expected postgresql://user:password@host/db", param_hint="URL")
    if settings.database_url:
        raise click.UsageError("migrate-to copies the SQLite show: leave out --database-url")
    source = open_services(settings).store
    target = PgStore(url)
    with exclusive(settings.db_path):  # refused while `kiosk serve` runs on the file
        pg_schema.migrate(target)
        copied = copy_show(source, target)
    for table, count in copied.items():
        click.echo(f"{table:<20} {count:>9}")
    total = sum(copied.values())
    click.echo(f"copied {total} rows from {settings.db_path} to {masked(url)}; counts checked")


@cli.command()
@show_options
@click.argument("src", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--keys",
    "keys_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="the copy's key file (default: beside SRC, named SRC.secret)",
)
def restore(settings, src, keys_path):
    """Check a copy made by `kiosk backup` and put it back as the show (the server stopped)."""
    from kiosk.storage.backup import restore as restore_show

    _sqlite_only(settings, "restore")
    report = restore_show(src, settings.db_path, settings.secret_path, keys_path)
    for kept in report.set_aside:
        click.echo(f"kept the replaced file as {kept}")
    click.echo(f"restored {settings.db_path} from {src} ({report.summary()})")


@cli.group()
def devices():
    """Kiosks, exhibitor devices and staff devices."""


@devices.command("add")
@show_options
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", required=True)
@click.option("--exhibitor", "exhibitor_id", type=int)
@click.option("--gate")
@click.option("--printer", help="CUPS queue for this device's badges")
@click.option(
    "--direction",
    type=click.Choice(DIRECTIONS),
    default="in",
    show_default=True,
    help="a kiosk checks people in, out, or both (out for a person inside, in for anyone else)",
)
@click.option(
    "--printing",
    type=click.Choice(PRINTING),
    default="auto",
    show_default=True,
    help="auto: the CUPS printer if one is named, else the browser; browser; none: send to the desk",
)
def devices_add(settings, role, name, exhibitor_id, gate, printer, direction, printing):
    """Create a device; its bearer token is printed once, alone on the last line."""
    svc = services_for(settings)
    device, token = create_device(
        svc.store,
        settings,
        role=role,
        name=name,
        exhibitor_id=exhibitor_id,
        gate=gate,
        printer=printer,
        direction=direction,
        printing=printing,
    )
    click.echo(
        f"device {device.id} ({device.role}) '{device.name}' created; its token follows"
        " and is shown only once"
    )
    click.echo(token)


@devices.command("pair")
@show_options
@click.option("--token", required=True, help="the token `devices add` printed")
@click.option("--url", "base_url", required=True, help="the server as phones reach it")
@click.option("--qr", "qr_path", type=click.Path(dir_okay=False), help="also write a QR PNG")
def devices_pair(settings, token, base_url, qr_path):
    """Print the pairing link of a device (and its QR code) for the phone to open once."""
    from kiosk.pairing import pairing_link, write_qr

    device = services_for(settings).devices.authenticate(token.strip())
    if device is None:
        raise click.ClickException("unknown or revoked device token")
    try:
        link = pairing_link(base_url, device.role, token.strip())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if qr_path:
        click.echo(f"pairing QR written to {write_qr(link, qr_path)}", err=True)
    click.echo(link)


@devices.command("revoke")
@show_options
@click.argument("device")
def devices_revoke(settings, device):
    """Revoke a device by name or id: its token is refused and its live connections are cut."""
    from kiosk.devices import find_device, revoke_device

    store = services_for(settings).store
    device_id = find_device(store, device)
    revoke_device(store, device_id, actor="cli")
    click.echo(f"device {device_id} revoked")


@devices.command("list")
@show_options
def devices_list(settings):
    """List devices (tokens are never shown again)."""
    from kiosk.storage.devices import list_devices

    for row in list_devices(services_for(settings).store.conn):
        state = "revoked" if row["revoked_at"] else "active"
        click.echo(
            f"{row['id']}\t{row['role']}\t{row['name']}\tgate={row['gate'] or '-'}"
            f"\texhibitor={row['exhibitor_id'] or '-'}\t{state}"
            f"\tlast_seen={row['last_seen_at'] or '-'}"
        )


@cli.group()
def exhibitors():
    """Exhibitors and their booths."""


@exhibitors.command("add")
@show_options
@click.option("--name", required=True)
@click.option("--booth", required=True)
def exhibitors_add(settings, name, booth):
    """Create an exhibitor; its id is printed on the last line."""
    from kiosk.exhibitors.manage import create_exhibitor

    exhibitor_id = create_exhibitor(services_for(settings).store, name=name, booth=booth)
    click.echo(f"exhibitor '{name}' at booth {booth} created")
    click.echo(exhibitor_id)


@cli.group()
def staff():
    """Named staff accounts for the console."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@staff.command("add")
@show_options
@click.option("--name", required=True)
@click.option("--password-stdin", is_flag=True, help="read the password from the first stdin line")
def staff_add(settings, name, password_stdin):
    """Create a staff account (the password is asked for, never given on the command line)."""
    from kiosk.staff.accounts import create_staff

    user = create_staff(services_for(settings).store, name, _password(password_stdin))
    click.echo(f"staff account '{user.name}' created")


@staff.command("password")
@show_options
@click.option("--name", required=True)
@click.option("--password-stdin", is_flag=True, help="read the password from the first stdin line")
def staff_password(settings, name, password_stdin):
    """Set a staff account's password (also lifts a lock-out)."""
    from kiosk.staff.accounts import set_password

    set_password(services_for(settings).store, name, _password(password_stdin))
    click.echo(f"password of '{name}' changed")


@cli.group()
def keys():
    """The key file that signs badge codes."""


@keys.command("rotate")
@show_options
def keys_rotate(settings):
    """Sign new badges with a fresh key; badges already printed stay valid. Restart the server."""
    try:
        version = rotate_badge_key(settings.secret_path)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"badge key version {version} is now current in {settings.secret_path};"
        " codes of earlier versions stay valid. Restart `kiosk serve` to use it."
    )


@cli.group("import")
def import_():
    """Import pre-registrations and earlier editions."""


@import_.command("attendees")
@show_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_attendees_cmd(settings, file):
    """Import pre-registrations from the ticketing system's CSV."""
    from kiosk.attendees.importer import import_attendees

    svc = services_for(settings)
    report = import_attendees(
        svc.store,
        settings,
        svc.keys,
        file,
        progress=lambda rows: progress(rows, desc="import", unit="row"),
    )
    for line, reason in report.errors:
        click.echo(f"{file}:{line}: {reason}", err=True)
    click.echo(
        f"{report.total} rows: {report.created} created, {report.updated} updated,"
        f" {report.unchanged} unchanged, {len(report.errors)} rejected"
        + (f", {report.erased} erased on request (not imported again)" if report.erased else "")
    )


crm.register(cli, import_)
mail.register(cli)
cli.add_command(entrance.badges_group)
cli.add_command(entrance.scanner)


def main(argv=None):
    """Entry point: user errors become one line on stderr and a non-zero exit."""
    try:
        cli.main(args=argv, prog_name="kiosk", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("kiosk: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"kiosk: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if not isinstance(exc, user_errors()):
            raise
        click.echo(f"kiosk: error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
