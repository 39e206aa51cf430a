"""The console is for signed-in operators only: pages, events, sessions, failed logins."""
import json
import re
import sqlite3

import pytest
from playwright.sync_api import Page, expect

from rxshop import routes
from rxshop.state.admin_state import AdminState
from rxshop.state.admin_audit_state import AuditState

from .admin_helpers import PASSWORD, create_operator, forge, sign_in

# Every console page the shop defines (a new one is covered without editing this test), except the sign-in page.
ADMIN_PAGES = sorted({v for k, v in vars(routes).items() if k.startswith("ADMIN") and isinstance(v, str)}
                     - {routes.ADMIN_LOGIN})
OWNER = "owner@example.com"


@pytest.fixture(scope="module")
def owner(shop):
    create_operator(shop, OWNER)
    return OWNER


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(page: Page, shop_url, path):
    page.goto(shop_url + path)
    expect(page).to_have_url(re.compile(r"/admin/login/?$"), timeout=15000)
    expect(page.locator("[data-admin-ready]")).to_have_count(0)


def test_forged_admin_events_are_refused(shop, shop_url, owner):
    con = sqlite3.connect(shop.db_path)
    audit_before = con.execute("select count(*) from auditentry").fetchone()[0]
    received = forge(shop_url, [
        (f"{AuditState.get_full_name()}.load", {}),
        (f"{AdminState.get_full_name()}.require", {}),
        (f"{AdminState.get_full_name()}.setvar", {"var_name": "operator_email", "value": owner}),
    ])
    text = json.dumps(received)
    assert "/admin/login" in text, "the refusal sends the caller to the sign-in page"
    assert "operator.create" not in text and owner not in text, "no audit rows or operator data were sent"
    assert con.execute("select count(*) from auditentry").fetchone()[0] == audit_before
    con.close()


def test_sign_in_audit_log_and_log_out(page: Page, shop_url, owner):
    sign_in(page, shop_url, owner, PASSWORD + "nope")
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong email or password.")
    sign_in(page, shop_url, owner)
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    expect(page.get_by_test_id("operator-email")).to_have_text(owner)
    page.get_by_role("link", name="Audit log").click()
    rows = page.get_by_test_id("audit-row")
    expect(rows.filter(has_text="login").filter(has_text=owner).first).to_be_visible()
    expect(rows.filter(has_text="operator.create").first).to_be_visible()
    # A second tab of the same browser is signed in too (the token is shared), until log out.
    other = page.context.new_page()
    other.goto(shop_url + "/admin/audit")
    expect(other.get_by_test_id("operator-email")).to_have_text(owner)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/admin/login/?$"))
    other.goto(shop_url + "/admin")
    expect(other).to_have_url(re.compile(r"/admin/login/?$"))


def test_wrong_passwords_are_slowed_per_account(page: Page, shop, shop_url):
    victim = "locked@example.com"
    create_operator(shop, victim)
    for _ in range(5):  # RXSHOP_LOGIN_LIMIT_ACCOUNT defaults to 5 failures per 5 minutes
        sign_in(page, shop_url, victim, "guess " + PASSWORD)
        expect(page.get_by_test_id("login-error")).to_have_text("Wrong email or password.")
    sign_in(page, shop_url, victim)  # even the right password waits now
    expect(page.get_by_test_id("login-error")).to_contain_text("Too many failed sign-ins")
    expect(page).to_have_url(re.compile(r"/admin/login/?$"))
