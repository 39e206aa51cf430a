"""Shared by the console's end-to-end tests: operator accounts, signing in, forged websocket events."""
from __future__ import annotations

import subprocess
import time
import uuid

from playwright.sync_api import Page, expect

from .server import BIN, ROOT

PASSWORD = "e2e operator password"


def create_operator(shop, email: str, password: str = PASSWORD) -> None:
    """Through the documented command, with the password from the environment (as automation would)."""
    done = subprocess.run([str(BIN / "python"), "-m", "rxshop.admin", "create-operator", email], cwd=ROOT,
                          env={**shop.env, "RXSHOP_OPERATOR_PASSWORD": password}, capture_output=True, text=True)
    # A module fixture can run again (pytest re-creates it per browser parameter): an existing account is fine.
    assert done.returncode == 0 or "already exists" in done.stderr, done.stderr


def sign_in(page: Page, shop_url: str, email: str, password: str = PASSWORD) -> Page:
    page.goto(shop_url + "/admin/login")
    form = page.locator("form[data-login-ready=true]")
    expect(form).to_be_visible(timeout=15000)
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()
    return page


def forge(shop_url: str, events: list[tuple[str, dict]], path: str = "/admin", settle: float = 1.5) -> list:
    """An anonymous websocket client sending raw events; returns what the server sent back."""
    import socketio

    received = []
    sio = socketio.Client()
    sio.on("event", lambda data: received.append(data), namespace="/_event")
    sio.connect(f"{shop_url}?token={uuid.uuid4()}", socketio_path="/_event", namespaces=["/_event"],
                transports=["websocket"])
    try:
        for name, payload in events:
            sio.emit("event", {"name": name, "payload": payload,
                               "router_data": {"pathname": path, "asPath": path}}, namespace="/_event")
            time.sleep(0.2)
        time.sleep(settle)
    finally:
        sio.disconnect()
    return received
