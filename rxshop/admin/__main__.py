"""Operator accounts from the command line (run in the project directory, where rxconfig.py is):

    python -m rxshop.admin create-operator EMAIL     # asks for the password twice
    python -m rxshop.admin set-password EMAIL        # new password; ends the operator's open sessions
    python -m rxshop.admin image-copies              # the smaller copies of product pictures that lack them

For automation, put the password in RXSHOP_OPERATOR_PASSWORD instead of typing it.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from .accounts import MIN_PASSWORD, AccountError, create_operator, set_password


def _password() -> str:
    if env := os.environ.get("RXSHOP_OPERATOR_PASSWORD"):
        return env
    if not sys.stdin.isatty():
        raise AccountError("No terminal to ask for the password: set RXSHOP_OPERATOR_PASSWORD.")
    first = getpass.getpass(f"Password (at least {MIN_PASSWORD} characters): ")
    if first != getpass.getpass("Same password again: "):
        raise AccountError("The passwords differ.")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rxshop.admin", description="Operator accounts of the shop.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("create-operator", "create an operator account"),
                       ("set-password", "set a new password (ends the operator's sessions)")):
        sub.add_parser(name, help=text).add_argument("email")
    sub.add_parser("image-copies", help="make the smaller copies (400 and 800 px wide) of product pictures that "
                                        "lack them (pictures uploaded before copies were made)")
    args = parser.parse_args(argv)

    from ..db import session

    if args.command == "image-copies":
        from sqlmodel import select

        from .. import images
        from ..models import Product

        with session() as db:
            urls = [u for u in db.exec(select(Product.image).distinct()) if u]
        print(f"{images.make_missing_copies(urls)} smaller copies made")
        return 0
    try:
        password = _password()
        with session() as db:
            if args.command == "create-operator":
                op = create_operator(db, args.email, password)
                print(f"operator {op.email} created; sign in at /admin/login")
            else:
                op = set_password(db, args.email, password)
                print(f"password of {op.email} changed")
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
