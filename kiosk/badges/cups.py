"""The operating system's print system (CUPS) through its own commands: lpstat and lp."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

TIMEOUT_S = 15
JOB_RE = re.compile(r"request id is (\S+)")
# printer-state-reasons that mean a badge will not come out now.
BLOCKING = {
    "media-empty": "out_of_paper",
    "media-needed": "out_of_paper",
    "media-jam": "paper_jam",
    "offline": "offline",
    "paused": "stopped",
    "door-open": "door_open",
}


class PrintError(Exception):
    """A badge could not be sent to the printer; `reason` is machine-readable."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Job:
    printer: str
    job_id: str


def _run(args: list[str], data: bytes | None = None) -> subprocess.CompletedProcess:
    if shutil.which(args[0]) is None:
        raise PrintError("no_cups", f"{args[0]} is not installed (Debian package cups-client)")
    try:
        return subprocess.run(args, input=data, capture_output=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PrintError("timeout", f"{args[0]} did not answer within {TIMEOUT_S} s") from exc


def check_ready(printer: str) -> None:
    """Raise PrintError unless the queue exists, is enabled, accepts jobs and reports no fault."""
    status = _run(["lpstat", "-l", "-p", printer])
    text = (status.stdout + status.stderr).decode(errors="replace")
    if status.returncode != 0 or f"printer {printer} " not in text:
        if "scheduler is not running" in text or "connect" in text.lower():
            raise PrintError("no_cups", "the print system (cupsd) is not running")
        raise PrintError("missing", f"printer '{printer}' does not exist")
    if f"printer {printer} disabled" in text:
        raise PrintError("stopped", f"printer '{printer}' is stopped")
    for line in text.splitlines():
        if line.strip().startswith("Alerts:"):
            for reason in line.split(":", 1)[1].split():
                key = reason.removesuffix("-error").removesuffix("-warning")
                if key in BLOCKING:
                    raise PrintError(BLOCKING[key], f"printer '{printer}': {reason}")
    accepting = _run(["lpstat", "-a", printer])
    if b"not accepting" in accepting.stdout + accepting.stderr:
        raise PrintError("stopped", f"printer '{printer}' is not accepting jobs")


def submit(printer: str, pdf: bytes, *, title: str, width_mm: float, height_mm: float) -> Job:
    """Check the queue, then send one PDF page sized to the badge; return the CUPS job."""
    check_ready(printer)
    media = f"Custom.{width_mm:.1f}x{height_mm:.1f}mm"
    done = _run(
        ["lp", "-d", printer, "-t", title, "-o", f"media={media}", "-o", "fit-to-page", "-"], pdf
    )
    text = (done.stdout + done.stderr).decode(errors="replace")
    match = JOB_RE.search(text)
    if done.returncode != 0 or not match:
        raise PrintError("failed", f"lp refused the job: {text.strip()[:200]}")
    return Job(printer, match[1])


def completed_jobs(printer: str) -> set[str]:
    """The ids of the jobs CUPS lists as done on one queue."""
    done = _run(["lpstat", "-W", "completed", "-o", printer])
    lines = done.stdout.decode(errors="replace").splitlines()
    return {line.split()[0] for line in lines if line.strip()}
