"""Browser-facing pages: hosted Checkout, 3-D Secure challenges, the Stripe.js stand-in and its card iframe,
receipts. Server-rendered HTML, small inline CSS, no external resources."""
from __future__ import annotations

import html
import json
import pathlib
import time
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .common import CHECKOUT_CTX, NO_CTX
from .money import fmt_money
from .sandbox import Sandbox
from .errors import StripeError

STATIC = pathlib.Path(__file__).parent / "static"
AUTH_FAIL_SHOPPER = ("We are unable to authenticate your payment method. Please choose a different payment method "
                     "and try again.")
E = html.escape

CSS = """
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#1a1f36;background:#f6f9fc}main{max-width:920px;margin:0 auto;padding:32px 20px;display:flex;gap:40px;
flex-wrap:wrap}section{flex:1 1 360px}h1{font-size:20px;margin:0 0 4px}.total{font-size:32px;font-weight:600;
margin:0 0 20px}table{width:100%;border-collapse:collapse}td{padding:8px 0;border-bottom:1px solid #e3e8ee;
vertical-align:top}td.amt{text-align:right;white-space:nowrap}.qty{color:#697386;font-size:13px}
label{display:block;font-size:13px;color:#4f566b;margin:14px 0 4px}input{width:100%;padding:10px 12px;
border:1px solid #cfd7df;border-radius:6px;font:inherit;background:#fff}input:focus{outline:2px solid #635bff33;
border-color:#635bff}.row{display:flex;gap:12px}.row>div{flex:1}button{width:100%;margin-top:20px;padding:12px;
border:0;border-radius:6px;background:#635bff;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button[disabled]{opacity:.6}.alert{margin:12px 0 0;padding:10px 12px;border-radius:6px;background:#fde8e8;
color:#9b1c1c;border:1px solid #f8b4b4}.note{color:#697386;font-size:13px}a{color:#635bff}
.badge{display:inline-block;font-size:12px;padding:2px 8px;border-radius:10px;background:#ffde92;color:#8a5a00}
.card{background:#fff;border-radius:8px;padding:24px;box-shadow:0 2px 6px #0000000f}
"""


def page(title: str, body: str, status: int = 200, extra_head: str = "") -> HTMLResponse:
    doc = (f"<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport "
           f"content='width=device-width,initial-scale=1'><title>{E(title)}</title><style>{CSS}</style>{extra_head}"
           f"</head><body>{body}</body></html>")
    return HTMLResponse(doc, status_code=status, headers={"Cache-Control": "no-store"})


def _js(value) -> str:
    """A JSON literal safe inside <script>."""
    return json.dumps(value).replace("<", "\\u003c")


def _success_url(cs: dict) -> str | None:
    u = cs.get("success_url")
    return u.replace("{CHECKOUT_SESSION_ID}", cs["id"]) if u else None


def _form(body: bytes) -> dict:
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _parse_exp(exp: str) -> tuple[str, str]:
    s = exp.replace(" ", "")
    if "/" in s:
        m, _, y = s.partition("/")
    else:
        d = "".join(ch for ch in s if ch.isdigit())
        m, y = d[:2], d[2:]
    return m, y


def routes(sb: Sandbox) -> list[Route]:
    # ------------------------------------------------------------------------------------------ hosted checkout
    def summary(cs: dict) -> str:
        rows = []
        for it in sb.line_items.get(cs["id"], []):
            prod = sb.objects.get(it["price"]["product"], {})
            img = ""
            rows.append(
                f"<tr><td>{img}<div class=name>{E(it['description'] or prod.get('name') or '')}</div>"
                f"<div class=qty>Qty {it['quantity']} × {fmt_money(it['price']['unit_amount'], it['currency'])}"
                f"</div></td><td class=amt>{fmt_money(it['amount_total'], it['currency'])}</td></tr>")
        total = fmt_money(cs["amount_total"], cs["currency"])
        return (f"<section><span class=badge>Test mode</span><h1>Pay Stripe sandbox merchant</h1>"
                f"<p class=total id=total aria-label='Total {total}'>{total}</p>"
                f"<table aria-label='Line items'>{''.join(rows)}"
                f"<tr><td><strong>Total due</strong></td><td class=amt><strong>{total}</strong></td></tr>"
                f"</table></section>")

    def checkout_page(cs: dict, error: str | None = None, email: str | None = None, status: int = 200):
        if cs["status"] != "open":
            return closed_page(cs)
        email = email if email is not None else (cs.get("customer_email") or
                                                 (cs.get("customer_details") or {}).get("email") or "")
        alert = f"<div class=alert role=alert id=error>{E(error)}</div>" if error else ""
        cancel = (f"<p class=note><a href='{E(cs['cancel_url'])}' id=cancel>Cancel</a> and return to the "
                  f"merchant</p>" if cs.get("cancel_url") else "")
        body = (f"<main>{summary(cs)}<section class=card><h1>Pay with card</h1>"
                f"<form method=post action='/c/pay/{E(cs['id'])}' id=payform "
                f"onsubmit=\"this.querySelector('button').disabled=true\">{alert}"
                f"<label for=email>Email</label><input id=email name=email type=email autocomplete=email "
                f"value='{E(email)}' required>"
                f"<label for=cardnumber>Card number</label><input id=cardnumber name=cardnumber "
                f"inputmode=numeric autocomplete=cc-number placeholder='1234 1234 1234 1234' required>"
                f"<div class=row><div><label for=exp>Expiration</label><input id=exp name=exp autocomplete=cc-exp "
                f"placeholder='MM / YY' required></div><div><label for=cvc>CVC</label><input id=cvc name=cvc "
                f"inputmode=numeric autocomplete=cc-csc placeholder=CVC required></div></div>"
                f"<button type=submit id=pay>Pay</button></form>{cancel}</section></main>")
        return page("Checkout — Stripe sandbox", body, status)

    def closed_page(cs: dict):
        if cs["status"] == "complete":
            title, msg = "Payment complete", "This Checkout Session has already been paid. It can't be paid again."
            link = _success_url(cs)
            more = f"<p><a href='{E(link)}'>Return to the merchant</a></p>" if link else ""
        else:
            title, msg = "Session expired", ("This Checkout Session has expired. It can no longer be paid; return "
                                             "to the merchant to start a new checkout.")
            more = (f"<p><a href='{E(cs['cancel_url'])}'>Return to the merchant</a></p>"
                    if cs.get("cancel_url") else "")
        body = f"<main><section class=card><h1 id=closed>{E(title)}</h1><p>{E(msg)}</p>{more}</section></main>"
        return page(title, body, 409 if cs["status"] == "complete" else 410)

    def missing_page(cs_id: str):
        return page("Not found", f"<main><section class=card><h1>Checkout Session not found</h1><p>No such "
                                 f"Checkout Session: {E(cs_id)}</p></section></main>", 404)

    def after_payment(cs: dict, pi: dict):
        if pi["status"] in ("succeeded", "requires_capture") or cs["status"] == "complete":
            url = _success_url(cs)
            if url:
                return RedirectResponse(url, status_code=303)
            return page("Payment complete", "<main><section class=card><h1>Thanks for your payment</h1>"
                                            "</section></main>")
        if pi["status"] == "requires_action":
            return RedirectResponse(f"/c/3ds/{cs['id']}", status_code=303)
        return None

    async def pay_get(request: Request):
        cs_id = request.path_params["cs"]
        cs = sb.objects.get(cs_id)
        if cs is None or cs.get("object") != "checkout.session":
            return missing_page(cs_id)
        sb._maybe_expire(cs)
        error = sb.session_errors.pop(cs_id, None)
        return checkout_page(cs, error, sb.session_emails.get(cs_id) if error else None)

    async def pay_post(request: Request):
        cs_id = request.path_params["cs"]
        cs = sb.objects.get(cs_id)
        if cs is None or cs.get("object") != "checkout.session":
            return missing_page(cs_id)
        sb._maybe_expire(cs)
        if cs["status"] != "open":
            return closed_page(cs)
        f = _form(await request.body())
        email = f.get("email", "").strip()
        if "@" not in email:
            return checkout_page(cs, "Your email address is invalid.", email, 400)
        month, year = _parse_exp(f.get("exp", ""))
        card = {"number": f.get("cardnumber", ""), "exp_month": month, "exp_year": year, "cvc": f.get("cvc", "")}
        if not card["number"].strip():
            return checkout_page(cs, "Your card number is incomplete.", email, 400)
        if not month or not year:
            return checkout_page(cs, "Your card's expiration date is incomplete.", email, 400)
        if not card["cvc"].strip():
            return checkout_page(cs, "Your card's security code is incomplete.", email, 400)
        try:
            pi = sb.session_pay(cs_id, email, card)
        except StripeError as e:
            return checkout_page(cs, e.error.get("message"), email, e.status)
        resp = after_payment(cs, pi)
        if resp is not None:
            return resp
        err = pi.get("last_payment_error") or {}
        return checkout_page(cs, err.get("message") or "Your card was declined.", email, 402)

    async def checkout_3ds_get(request: Request):
        cs_id = request.path_params["cs"]
        cs = sb.objects.get(cs_id)
        if cs is None or cs.get("object") != "checkout.session":
            return missing_page(cs_id)
        pi = sb.objects.get(cs["payment_intent"] or "")
        if cs["status"] != "open":
            return closed_page(cs)
        if not pi or pi["status"] != "requires_action":
            return RedirectResponse(f"/c/pay/{cs_id}", status_code=303)
        return challenge_page(pi, f"/c/3ds/{cs_id}", {})

    async def checkout_3ds_post(request: Request):
        cs_id = request.path_params["cs"]
        cs = sb.objects.get(cs_id)
        if cs is None or cs.get("object") != "checkout.session":
            return missing_page(cs_id)
        if cs["status"] != "open":
            return closed_page(cs)
        pi = sb.objects.get(cs["payment_intent"] or "")
        if not pi or pi["status"] != "requires_action":
            return RedirectResponse(f"/c/pay/{cs_id}", status_code=303)
        outcome = _form(await request.body()).get("outcome")
        pi = sb.resolve_3ds(CHECKOUT_CTX, pi["id"], "complete" if outcome == "complete" else "fail")
        sb.changed()
        resp = after_payment(cs, pi)
        if resp is not None:
            return resp
        err = pi.get("last_payment_error") or {}
        sb.session_errors[cs_id] = (AUTH_FAIL_SHOPPER if err.get("code") == "payment_intent_authentication_failure"
                                    else err.get("message") or "Your card was declined.")
        return RedirectResponse(f"/c/pay/{cs_id}", status_code=303)

    # ------------------------------------------------------------------------------------------ 3-D Secure (API)
    def challenge_page(pi: dict, action: str, hidden: dict):
        fields = "".join(f"<input type=hidden name='{E(k)}' value='{E(v)}'>" for k, v in hidden.items())
        amount = fmt_money(pi["amount"], pi["currency"])
        body = (f"<main><section class=card><span class=badge>Test mode</span><h1>3D Secure 2 Test Page</h1>"
                f"<p>This is a test 3-D Secure challenge for a payment of <strong>{amount}</strong>. "
                f"Real banks would ask the cardholder to authenticate here.</p>"
                f"<form method=post action='{E(action)}'>{fields}"
                f"<button type=submit name=outcome value=complete id=complete>Complete authentication</button>"
                f"<button type=submit name=outcome value=fail id=fail style='background:#fff;color:#1a1f36;"
                f"border:1px solid #cfd7df'>Fail authentication</button></form></section></main>")
        return page("3D Secure authentication", body)

    def _pi_for_secret(pid: str, secret: str | None):
        pi = sb.objects.get(pid)
        if pi is None or pi.get("object") != "payment_intent" or not secret or secret != pi["client_secret"]:
            return None
        return pi

    async def tds_get(request: Request):
        pid = request.path_params["pid"]
        q = request.query_params
        pi = _pi_for_secret(pid, q.get("client_secret"))
        if pi is None:
            return page("Not found", "<main><section class=card><h1>Unknown authentication</h1></section></main>",
                        404)
        if pi["status"] != "requires_action":
            return finished(pi, q.get("return_url"))
        hidden = {"client_secret": q.get("client_secret")}
        if q.get("return_url"):
            hidden["return_url"] = q["return_url"]
        return challenge_page(pi, f"/3ds/{pid}", hidden)

    async def tds_post(request: Request):
        pid = request.path_params["pid"]
        f = _form(await request.body())
        pi = _pi_for_secret(pid, f.get("client_secret"))
        if pi is None:
            return page("Not found", "<main><section class=card><h1>Unknown authentication</h1></section></main>",
                        404)
        if pi["status"] == "requires_action":
            pi = sb.resolve_3ds(NO_CTX, pid, "complete" if f.get("outcome") == "complete" else "fail")
            sb.changed()
        return finished(pi, f.get("return_url"))

    def finished(pi: dict, return_url: str | None):
        if return_url:
            parts = urlsplit(return_url)
            q = parse_qs(parts.query)
            q.update(payment_intent=[pi["id"]], payment_intent_client_secret=[pi["client_secret"]],
                     redirect_status=["succeeded" if pi["status"] in ("succeeded", "requires_capture",
                                                                      "processing") else "failed"])
            return RedirectResponse(urlunsplit(parts._replace(query=urlencode(q, doseq=True))), status_code=303)
        msg = {"type": "stripe-sandbox-3ds-done", "payment_intent": pi["id"], "status": pi["status"]}
        # only to the origin of the page that used the client_secret (Stripe.js there opened this frame)
        target = sb.pi_origins.get(pi["id"])
        script = (f"<script>(function(){{var m={_js(msg)},o={_js(target)};"
                  f"try{{if(window.parent&&window.parent!==window)window.parent.postMessage(m,o);}}catch(e){{}}"
                  f"try{{if(window.opener)window.opener.postMessage(m,o);}}catch(e){{}}}})();</script>"
                  if target else "")
        body = (f"<main><section class=card><h1>Authentication finished</h1><p id=done>You can close this window."
                f"</p></section></main>{script}")
        return page("Authentication finished", body)

    # ------------------------------------------------------------------------------------------ Stripe.js
    stripe_js = (STATIC / "stripe.js").read_bytes()
    card_frame = (STATIC / "card_frame.html").read_bytes()

    async def js(request: Request):
        return Response(stripe_js, media_type="application/javascript",
                        headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"})

    async def elements_card(request: Request):
        return Response(card_frame, media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache", "Referrer-Policy": "no-referrer"})

    # ------------------------------------------------------------------------------------------ receipts
    async def receipt(request: Request):
        ch = sb.objects.get(request.path_params["ch"])
        if ch is None or ch.get("object") != "charge":
            return page("Not found", "<main><section class=card><h1>Receipt not found</h1></section></main>", 404)
        card = ch["payment_method_details"]["card"]
        refunded = (f"<p>Refunded: {fmt_money(ch['amount_refunded'], ch['currency'])}</p>"
                    if ch["amount_refunded"] else "")
        body = (f"<main><section class=card><span class=badge>Test mode</span><h1>Receipt</h1>"
                f"<p class=total>{fmt_money(ch['amount'], ch['currency'])}</p>"
                f"<p>Paid {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(ch['created']))} with "
                f"{E(card['brand'])} •••• {E(card['last4'])}</p>"
                f"<p>{E(ch.get('description') or '')}</p>{refunded}<p class=note>Charge {E(ch['id'])}</p>"
                f"</section></main>")
        return page("Receipt", body)

    return [
        Route("/c/pay/{cs}", pay_get, methods=["GET"]),
        Route("/c/pay/{cs}", pay_post, methods=["POST"]),
        Route("/c/3ds/{cs}", checkout_3ds_get, methods=["GET"]),
        Route("/c/3ds/{cs}", checkout_3ds_post, methods=["POST"]),
        Route("/3ds/{pid}", tds_get, methods=["GET"]),
        Route("/3ds/{pid}", tds_post, methods=["POST"]),
        Route("/v3", js, methods=["GET"]),
        Route("/v3/", js, methods=["GET"]),
        Route("/v3/stripe.js", js, methods=["GET"]),
        Route("/elements/card", elements_card, methods=["GET"]),
        Route("/receipts/{ch}", receipt, methods=["GET"]),
    ]
