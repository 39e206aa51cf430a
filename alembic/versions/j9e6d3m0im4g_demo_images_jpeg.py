"""demo images as JPEG: the demo catalog's pictures were SVG files, which Chromium parses and paints on the page's
main thread for every <img>; an existing shop's demo products are pointed at the JPEGs that replace them

Revision ID: j9e6d3m0im4g
Revises: c4d2e8f1a901
Create Date: 2026-12-08 01:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'j9e6d3m0im4g'
down_revision: Union[str, Sequence[str], None] = 'c4d2e8f1a901'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

DEMO = ("python-patterns-ebook", "lofi-focus-album", "line-icon-pack", "grotesk-font-family", "film-photo-presets",
        "reflex-video-course", "mountain-wallpapers", "weeknight-recipes", "retro-sound-effects", "signed-art-print")
_MOVE = sa.text("UPDATE product SET image = :new WHERE image = :old")


def upgrade() -> None:
    for name in DEMO:  # only a product still showing the demo picture (an uploaded one stays)
        op.get_bind().execute(_MOVE, {"old": f"/products/{name}.svg", "new": f"/products/{name}.jpg"})


def downgrade() -> None:
    for name in DEMO:
        op.get_bind().execute(_MOVE, {"old": f"/products/{name}.jpg", "new": f"/products/{name}.svg"})
