"""Email out through SMTP (host and port from settings). `make run` starts a local sink (scripts/mail_sink.py).
Callers don't send directly: they queue emails in the outbox (rxshop/outbox.py), whose worker calls send()."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from .settings import get_settings


def send(message: EmailMessage) -> None:
    s = get_settings()
    if "From" not in message:
        message["From"] = s.mail_from
    with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout) as smtp:
        if s.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())  # verifies the server's certificate and name
        if s.smtp_username:
            smtp.login(s.smtp_username, s.smtp_password)
        smtp.send_message(message)
