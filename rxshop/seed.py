"""Idempotent demo catalog: `python -m rxshop.seed` fills the catalog only when it is empty."""
from __future__ import annotations

from sqlmodel import Session, func, select

from .models import Product

SEED_PRODUCTS: list[dict] = [
    dict(slug="python-patterns-ebook", name="Python Patterns eBook",
         description="A 240-page field guide to idiomatic, testable Python. PDF and EPUB.",
         price_cents=2400, image="/products/python-patterns-ebook.svg"),
    dict(slug="lofi-focus-album", name="Lo-fi Focus Album",
         description="Twelve calm tracks for deep work. Lossless FLAC and MP3.",
         price_cents=900, image="/products/lofi-focus-album.svg"),
    dict(slug="line-icon-pack", name="Line Icon Pack",
         description="1,200 pixel-perfect line icons as SVG, with a Figma library.",
         price_cents=1900, image="/products/line-icon-pack.svg"),
    dict(slug="grotesk-font-family", name="Grotesk Font Family",
         description="A clean sans-serif in nine weights, licensed for web and print.",
         price_cents=4900, image="/products/grotesk-font-family.svg"),
    dict(slug="film-photo-presets", name="Film Photo Presets",
         description="Twenty presets that give your photos a warm analog film look.",
         price_cents=1500, image="/products/film-photo-presets.svg"),
    dict(slug="reflex-video-course", name="Reflex Video Course",
         description="Build and deploy full-stack web apps in pure Python: 6 hours of video.",
         price_cents=7900, image="/products/reflex-video-course.svg"),
    dict(slug="mountain-wallpapers", name="Mountain Wallpapers",
         description="Thirty 5K desktop and phone wallpapers of alpine landscapes.",
         price_cents=500, image="/products/mountain-wallpapers.svg"),
    dict(slug="weeknight-recipes", name="Weeknight Recipes",
         description="Sixty quick dinners in under 30 minutes, as a printable PDF cookbook.",
         price_cents=1200, image="/products/weeknight-recipes.svg"),
    dict(slug="retro-sound-effects", name="Retro Sound Effects",
         description="500 8-bit sound effects for games and apps, royalty free.",
         price_cents=1100, image="/products/retro-sound-effects.svg"),
    dict(slug="signed-art-print", name="Signed Art Print (Limited)",
         description="A limited edition of 5 hand-signed digital art prints, high-resolution TIFF.",
         price_cents=3500, image="/products/signed-art-print.svg", stock=5),
]


def seed(session: Session) -> int:
    """Insert the demo catalog if the product table is empty. Returns how many products were added."""
    if session.exec(select(func.count()).select_from(Product)).one() > 0:
        return 0
    for data in SEED_PRODUCTS:
        session.add(Product(delivery_url=f"https://downloads.rxshop.example/{data['slug']}", **data))
    session.commit()
    return len(SEED_PRODUCTS)


def main() -> None:
    from .db import session

    with session() as s:
        added = seed(s)
    print(f"seed: {added} products added" if added else "seed: catalog already has products")


if __name__ == "__main__":
    main()
