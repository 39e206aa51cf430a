"""Serve the bare Reflex cart (backend only: the websocket is all the load generator talks to).

    python bench/floor/serve_floor.py --port 8123     # prints the event's full name, then serves
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    os.chdir(HERE)  # Reflex reads rxconfig.py from the working directory
    sys.path[:0] = [str(HERE), str(HERE.parent.parent)]
    from rxshop import gc_policy  # served the way the shop is served, garbage collector included

    gc_policy.pause_for_start()
    from reflex_base import constants
    from reflex_base.environment import environment

    from reflex.utils import prerequisites
    from scripts.serve import serve_embedded  # the shop's own single-process server

    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    app = prerequisites.get_and_validate_app().app
    from floor_app.floor_app import FloorCart

    gc_policy.tune_for_serving()  # the shop does this in its lifespan
    print(f"{FloorCart.get_full_name()}.add", flush=True)
    return serve_embedded(app, args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
