"""A small keep-alive HTTP/1.1 load generator (like `wrk -c8`): N connections on one asyncio loop, each sending
the next request (GET, or an empty POST with --method POST) as soon as the previous response is read (and a new
connection when the server closed it). Runs as its own process; prints one JSON line with the request count,
latencies and its own CPU time.

    python bench/loadgen_http.py --url http://127.0.0.1:3000 --paths /,/product/x --connections 8 --seconds 10
"""
from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from urllib.parse import urlsplit


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status, and whether the server closes the connection after this response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers.get("connection", "").lower() == "close"


async def connection(host: str, port: int, paths: list[str], stop_at: float, lat: list[float], bad: list[int],
                     gzip: bool, method: str = "GET") -> None:
    extra = ("Accept-Encoding: gzip\r\n" if gzip else "") + ("Content-Length: 0\r\n" if method == "POST" else "")
    reqs = [f"{method} {p} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}\r\n".encode() for p in paths]
    i, writer = 0, None
    while time.perf_counter() < stop_at:
        t0 = time.perf_counter()
        if writer is None:  # a server that closes after each response (gunicorn's sync workers) costs a connect
            reader, writer = await asyncio.open_connection(host, port)
        writer.write(reqs[i % len(reqs)])
        status, close = await read_response(reader)
        if close:
            writer.close()
            writer = None
        lat.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            bad.append(status)
        i += 1
    if writer is not None:
        writer.close()


async def main_async(args) -> dict:
    u = urlsplit(args.url)
    paths = args.paths.split(",")
    lat: list[float] = []
    bad: list[int] = []
    cpu0, t0 = cpu_self(), time.perf_counter()
    await asyncio.gather(*(connection(u.hostname, u.port or 80, paths, t0 + args.seconds, lat, bad, args.gzip,
                                      args.method)
                           for _ in range(args.connections)))
    elapsed = time.perf_counter() - t0
    return {"requests": len(lat), "non_200": len(bad), "elapsed": elapsed, "latencies_ms": [round(x, 3) for x in lat],
            "client_cpu_s": cpu_self() - cpu0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--paths", default="/")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--method", choices=("GET", "POST"), default="GET")
    ap.add_argument("--gzip", action="store_true", help="ask for gzip (a browser does)")
    args = ap.parse_args()
    try:
        import uvloop

        result = uvloop.run(main_async(args))
    except ImportError:
        result = asyncio.run(main_async(args))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
