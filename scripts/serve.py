"""Serve the shop in production from a frontend that was built once (what the containers and the topology test run).

    reflex export --frontend-only --no-zip      # once per release; REFLEX_API_URL = the shop's public URL
    python scripts/serve.py --port 3000         # on every instance: pages, websocket and /api on one port

Unlike `reflex run --env prod`, nothing is compiled or built at start (so several instances can share one build and
start in about a second). Set REFLEX_REDIS_URL (and REFLEX_DB_URL) before running more than one instance or worker.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prepare_metrics_dir() -> None:
    """Workers of this instance share Prometheus counters through files in one directory, emptied at start."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="rxshop-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    for old in Path(path).glob("*.db"):
        old.unlink()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default=os.environ.get("RXSHOP_HOST", "0.0.0.0"))
    ap.add_argument("--port", type=int, default=int(os.environ.get("RXSHOP_PORT", "3000")))
    ap.add_argument("--workers", type=int, default=None, help="Granian workers (default: Reflex's choice)")
    ap.add_argument("--single-process", action="store_true",
                    help="one process, no supervisor (Granian embedded): least memory, fastest start; one worker")
    args = ap.parse_args(argv)

    os.chdir(ROOT)  # Reflex reads rxconfig.py from the working directory
    sys.path.insert(0, str(ROOT))
    from rxshop import lazy

    lazy.defer_start_imports()  # before Reflex: a library it imports would import aiohttp for nothing
    if args.single_process:  # this process serves the app: its lifespan turns the collector back on, tuned
        from rxshop import gc_policy

        gc_policy.pause_for_start()
    if args.workers:
        os.environ["GRANIAN_WORKERS"] = str(args.workers)
    prepare_metrics_dir()
    os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")

    from reflex_base import constants
    from reflex_base.environment import environment

    from reflex.utils import exec as rx_exec, prerequisites

    static = prerequisites.get_web_dir() / constants.Dirs.STATIC
    if not (static / "index.html").exists():
        print(f"serve: no built frontend in {static}; run `reflex export --frontend-only --no-zip` first",
              file=sys.stderr)
        return 2
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)  # the build is done; workers only import the app
    if args.single_process:
        return serve_single_process(args.host, args.port)
    rx_exec.run_backend_prod(args.host, args.port, constants.LogLevel.INFO, mount_frontend_compiled_app=True)
    return 0


def serve_single_process(host: str, port: int) -> int:
    """The app and the HTTP server in this one process (Granian's embedded server on this process's event loop).
    A supervisor + forked worker shows the app's memory twice in RSS; this holds it once and starts sooner."""
    from reflex_base.environment import environment

    from reflex.utils import prerequisites

    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)
    return serve_embedded(prerequisites.get_and_validate_app().app, host, port)


def serve_embedded(app, host: str, port: int) -> int:
    """Serve a Reflex app (its ASGI factory) with Granian's embedded server until SIGTERM or SIGINT."""
    import asyncio
    import signal

    from granian.constants import Interfaces
    from granian.server.embed import Server

    async def run() -> None:
        server = Server(target=app, factory=True, address=host, port=port, interface=Interfaces.ASGI,
                        log_level="warning")
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, server.stop)
        await server.serve()

    try:
        import uvloop  # the loop Granian would pick itself

        uvloop.run(run())
    except ImportError:
        asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
