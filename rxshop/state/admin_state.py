"""Operator console state. Every public handler of AdminState and of its substates goes through `admin_event`,
the one guard: it checks the session token against the database on the server before the handler runs, and an
anonymous, expired or forged call is refused and changes nothing."""
from __future__ import annotations

import asyncio
import functools
import inspect
from typing import Callable

import reflex as rx

from .. import lazy, routes
from ..admin import accounts, throttle
from ..admin.accounts import SignedIn
from ..db import session

LOGIN_ROUTE = routes.ADMIN_LOGIN
FAILED_LOGIN_DELAY = 0.5  # seconds added to every failed attempt (on top of the per-account / per-IP limits)
GUARD_MARK = "_rxshop_operator_only"


def _refused(state: "AdminState") -> list | None:
    """None when the caller is signed in; otherwise what the refused call sends back (nothing else happens)."""
    if state._current_operator() is not None:
        return None
    return [rx.redirect(LOGIN_ROUTE), rx.toast.error("Please sign in.")]


def admin_event(fn: Callable | None = None, *, background: bool = False):
    """`@rx.event` for the console, with the operator check first. Use it on every public admin handler."""
    if fn is None:
        return lambda f: admin_event(f, background=background)

    if background:
        if not inspect.isasyncgenfunction(fn):
            raise TypeError("background admin events are async generators here")

        @functools.wraps(fn)
        async def guarded(self, *args, **kwargs):
            async with self:
                refused = _refused(self)
            if refused is not None:
                yield refused
                return
            async for out in fn(self, *args, **kwargs):
                yield out
    elif inspect.isasyncgenfunction(fn):
        @functools.wraps(fn)
        async def guarded(self, *args, **kwargs):
            if (refused := _refused(self)) is not None:
                yield refused
                return
            async for out in fn(self, *args, **kwargs):
                yield out
    elif inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def guarded(self, *args, **kwargs):
            if (refused := _refused(self)) is not None:
                return refused
            return await fn(self, *args, **kwargs)
    else:
        @functools.wraps(fn)
        def guarded(self, *args, **kwargs):
            if (refused := _refused(self)) is not None:
                return refused
            return fn(self, *args, **kwargs)

    setattr(guarded, GUARD_MARK, True)
    return rx.event(guarded, background=True) if background else rx.event(guarded)


class AdminState(rx.State):
    # The browser's session token (random; the database keeps only its hash). Shared by the browser's tabs.
    session_token: str = rx.LocalStorage("", name="rxshop_admin", sync=True)
    operator_email: str = ""
    login_error: str = ""
    signing_in: bool = False
    login_ready: bool = False  # the login page is hydrated (tests wait on it)

    def _current_operator(self) -> SignedIn | None:
        """Checks the session in the database (expiry, log out, disabled account) on every call."""
        with session() as db:
            who = accounts.resolve(db, self.session_token)
        email = who.email if who else ""
        if self.operator_email != email:
            self.operator_email = email
        return who

    @admin_event
    def require(self):
        """on_load of every console page: signed-in operators stay, everyone else goes to the login page."""
        return None

    @rx.event
    def login_page(self):
        """on_load of the login page: a signed-in operator goes straight to the console."""
        self.login_error, self.login_ready = "", True
        if self._current_operator() is not None:
            return rx.redirect(routes.ADMIN)

    @rx.event(background=True)
    async def login(self, form_data: dict):
        async with self:
            if self.signing_in:  # one attempt at a time per tab
                return
            self.signing_in, self.login_error = True, ""
            ip = self.router.session.client_ip or "?"
        form = form_data if isinstance(form_data, dict) else {}
        email, password = form.get("email"), form.get("password")
        key = email.strip().lower()[:254] if isinstance(email, str) else ""
        error, token = "", ""
        await lazy.ready()  # the throttle's library, off the event loop at the first sign-in
        if wait := throttle.wait_seconds(key, ip):
            error = f"Too many failed sign-ins. Try again in {wait} seconds."
        else:
            token = await asyncio.to_thread(_sign_in, email, password)  # argon2 is slow on purpose
            if token:
                throttle.clear(key)
            else:
                throttle.failed(key, ip)
                await asyncio.sleep(FAILED_LOGIN_DELAY)
                error = "Wrong email or password."
        async with self:
            self.signing_in, self.login_error = False, error
            if token:
                self.session_token = token
                self._current_operator()
        if token:
            yield rx.redirect(routes.ADMIN)

    @rx.event
    def logout(self):
        """Ends this browser's session (works with an expired one too)."""
        with session() as db:
            accounts.end_session(db, self.session_token)
        self.session_token, self.operator_email = "", ""
        return rx.redirect(LOGIN_ROUTE)


def _sign_in(email: object, password: object) -> str:
    with session() as db:
        op = accounts.authenticate(db, email, password)
        return accounts.start_session(db, op) if op is not None else ""
