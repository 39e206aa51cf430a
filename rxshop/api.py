"""HTTP routes beside the Reflex app (mounted through rx.App(api_transformer=…)). Keep them under /api/."""
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


api = Starlette(routes=[Route("/api/health", health, methods=["GET"])])
