"""The messages: Jinja templates per kind and language, plain text and HTML, built into MIME.

The show's own templates live in the configuration folder (`[mail].templates_dir`, default
`mail/` beside the configuration file); a template missing there is taken from the defaults
shipped in `kiosk/mailing/templates/`. Each kind has `KIND.LANG.txt` (its subject in a
`{% block subject %}` on the first line) and `KIND.LANG.html`.
"""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path

import jinja2

from kiosk.config import ConfigError

DEFAULTS = Path(__file__).resolve().parent / "templates"


class Templates:
    """The show's templates, overriding the shipped ones file by file."""

    def __init__(self, folder: Path | None, languages: tuple[str, ...], default_language: str):
        search = [str(folder)] if folder is not None and folder.is_dir() else []
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([*search, str(DEFAULTS)]),
            autoescape=jinja2.select_autoescape(["html"]),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        self.languages = languages
        self.default_language = default_language

    def _template(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(f"mail template {exc.name}:{exc.lineno}: {exc.message}") from exc

    def language(self, kind: str, lang: str) -> str:
        """The language a message goes out in: the person's, else the show's default, else en."""
        for candidate in (lang, self.default_language, "en"):
            try:
                self.env.get_template(f"{kind}.{candidate}.txt")
            except jinja2.TemplateNotFound:
                continue
            return candidate
        raise ConfigError(
            f"mail templates: no {kind}.LANG.txt for {lang} or {self.default_language}"
        )

    def render(self, kind: str, lang: str, context: dict) -> tuple[str, str, str]:
        """(subject, plain text, HTML) of one message."""
        lang = self.language(kind, lang)
        text_template = self._template(f"{kind}.{lang}.txt")
        html_template = self._template(f"{kind}.{lang}.html")
        try:
            if "subject" not in text_template.blocks:
                raise ConfigError(f"mail template {kind}.{lang}.txt: no subject block")
            subject_ctx = text_template.new_context(context)
            subject = "".join(text_template.blocks["subject"](subject_ctx))
            text = text_template.render(context)
            html = html_template.render(context)
        except jinja2.UndefinedError as exc:
            raise ConfigError(f"mail template {kind}.{lang}: {exc.message}") from exc
        subject = " ".join(subject.split())
        first, _, rest = text.partition("\n")
        if " ".join(first.split()) == subject:
            text = rest
        return subject, text.lstrip("\n"), html


def message_id(kind: str, recipient: str, ref: str, sender: str) -> str:
    """The same Message-ID for the same message, should it ever be sent twice."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "kiosk.invalid"
    digest = hashlib.sha256(f"{kind}\0{recipient}\0{ref}".encode()).hexdigest()[:32]
    return f"<{kind}.{digest}@{domain}>"


def compose(
    *,
    sender: str,
    to_name: str,
    to_address: str,
    subject: str,
    text: str,
    html: str,
    msg_id: str,
    language: str,
    inline: tuple[str, bytes] | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> EmailMessage:
    """A multipart message: text and HTML, an inline PNG (by content id), a PDF attached."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = formataddr((to_name, to_address)) if to_name else to_address
    msg["Date"] = formatdate()
    msg["Message-ID"] = msg_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    if inline is not None:
        cid, png = inline
        msg.get_payload()[1].add_related(
            png,
            maintype="image",
            subtype="png",
            cid=f"<{cid}>",
            disposition="inline",
            filename="qr.png",
        )
    if attachment is not None:
        name, pdf = attachment
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=name)
    # Set last: building the parts clears Content-* headers.
    msg["Content-Language"] = "zh-CN" if language == "zh" else language
    return msg
