"""The demo catalog's pictures are JPEG files under assets/ (an SVG in an <img> is parsed and painted on the page's
main thread, each one); a shop seeded before they were is moved onto them by a migration, uploads untouched."""
from pathlib import Path

import sqlalchemy
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlmodel import Session, select

from rxshop import migrations
from rxshop.models import Product
from rxshop.seed import SEED_PRODUCTS

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def test_every_demo_picture_is_a_jpeg_that_exists():
    for data in SEED_PRODUCTS:
        picture = ASSETS / data["image"].lstrip("/")
        assert picture.suffix == ".jpg" and picture.read_bytes()[:3] == b"\xff\xd8\xff", data["image"]


def _upgrade_to(engine, target: str) -> None:
    script = ScriptDirectory(str(migrations.ALEMBIC_DIR))
    with engine.begin() as conn, EnvironmentContext(
            Config(), script, fn=lambda rev, _ctx: script._upgrade_revs(target, rev)) as env:
        env.configure(connection=conn)
        env.run_migrations()


def test_a_shop_seeded_with_the_svg_pictures_is_moved_onto_the_jpegs(tmp_path):
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    _upgrade_to(engine, "c4d2e8f1a901")  # the revision before the pictures changed
    demo = {**SEED_PRODUCTS[0], "image": SEED_PRODUCTS[0]["image"].replace(".jpg", ".svg")}
    uploaded = {**SEED_PRODUCTS[1], "image": "/api/images/0123abcd.svg"}
    with Session(engine) as s:
        s.add_all([Product(delivery_url="https://example.com/a", **demo),
                   Product(delivery_url="https://example.com/b", **uploaded)])
        s.commit()
    migrations.upgrade(engine)
    with Session(engine) as s:
        images = dict(s.exec(select(Product.slug, Product.image)).all())
    assert images == {demo["slug"]: SEED_PRODUCTS[0]["image"], uploaded["slug"]: "/api/images/0123abcd.svg"}
    engine.dispose()
