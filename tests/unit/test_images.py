"""Card-sized copies of product pictures (rxshop/images.py): one beside every demo picture and every wide upload,
offered to the browser in the catalog card's `srcset`; none for narrow or animated pictures."""
import io

from PIL import Image

from rxshop import catalog, images
from rxshop.admin import media
from rxshop.seed import SEED_PRODUCTS
from rxshop.settings import get_settings


def _image(size, fmt="PNG", mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red").save(out, fmt, **save)
    return out.getvalue()


def test_every_demo_picture_has_a_card_copy_in_the_cards_srcset():
    for data in SEED_PRODUCTS:
        url = data["image"]
        copy = images.stored_file(images.card_url(url))
        with Image.open(copy) as img:
            assert (img.format, img.size) == ("JPEG", (images.CARD_WIDTH, images.CARD_WIDTH * 3 // 4)), url
        assert images.card_srcset(url) == f"{url.removesuffix('.jpg')}.card.jpg 400w, {url} 800w"


def test_a_picture_without_a_copy_or_not_ours_is_offered_alone():
    for url in ("/products/no-such-picture.jpg", "https://cdn.example.com/x.jpg", "//cdn.example.com/x.jpg",
                "/../rxshop/settings.py", "/api/images/not-a-name.png", ""):
        assert images.card_srcset(url) == ""


def test_a_wide_upload_gets_a_card_copy_a_narrow_or_animated_one_does_not(tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "rxshop_images_dir", str(tmp_path))
    url = media.save_image(io.BytesIO(_image((1000, 500), mode="RGBA")))
    copy_name = images.card_url(url).removeprefix(media.IMAGE_URL_PREFIX)
    with Image.open(media.image_path(copy_name)) as img:  # served like the picture itself
        assert (img.format, img.size, img.mode) == ("PNG", (400, 200), "RGBA")
    assert images.card_srcset(url) == f"{images.card_url(url)} 400w, {url} 800w"
    card = catalog.to_card(catalog.ProductRow(1, "p", "P", "", 100, "usd", url, "", None, True))
    assert card.srcset == images.card_srcset(url)

    frames = [Image.new("RGB", (800, 600), c) for c in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    for data in (_image((400, 300), "JPEG"), out.getvalue()):
        url = media.save_image(io.BytesIO(data))
        assert not (tmp_path / images.card_url(url).removeprefix(media.IMAGE_URL_PREFIX)).exists()
        assert images.card_srcset(url) == ""
    assert len(list(tmp_path.iterdir())) == 4


def test_a_card_copy_of_a_jpeg_is_a_jpeg():
    data = images.make_card_copy(_image((1600, 1200), "JPEG"))
    with Image.open(io.BytesIO(data)) as img:
        assert (img.format, img.size) == ("JPEG", (400, 300))


def test_pictures_uploaded_before_copies_get_them_from_the_command(engine, db, tmp_path):
    import os
    import subprocess
    import sys

    from rxshop.models import Product

    pictures = tmp_path / "images"
    pictures.mkdir()
    old, narrow = "0" * 32 + ".jpg", "1" * 32 + ".png"  # as uploaded before: no copy beside them
    (pictures / old).write_bytes(_image((1200, 900), "JPEG"))
    (pictures / narrow).write_bytes(_image((300, 200)))
    db.add_all([Product(slug=f"p{i}", name=f"P{i}", price_cents=100, image=media.IMAGE_URL_PREFIX + name)
                for i, name in enumerate((old, narrow))])
    db.commit()
    env = {**os.environ, "REFLEX_DB_URL": str(engine.url), "RXSHOP_IMAGES_DIR": str(pictures)}
    for made in ("1", "0"):  # a second run finds nothing left to do
        out = subprocess.run([sys.executable, "-m", "rxshop.admin", "card-images"], env=env, capture_output=True,
                             text=True, check=True)
        assert out.stdout.strip() == f"{made} card-sized copies made"
    with Image.open(pictures / ("0" * 32 + ".card.jpg")) as img:
        assert img.size == (400, 300)
    assert sorted(p.name for p in pictures.iterdir()) == sorted([old, narrow, "0" * 32 + ".card.jpg"])


def test_a_copy_made_later_is_offered_at_the_next_look(tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "rxshop_images_dir", str(tmp_path))
    name = "2" * 32 + ".webp"
    (tmp_path / name).write_bytes(_image((800, 600), "WEBP"))
    url = media.IMAGE_URL_PREFIX + name
    assert images.card_srcset(url) == ""
    assert images.make_missing_copies([url, url]) == 1
    assert images.card_srcset(url) == f"{media.IMAGE_URL_PREFIX}{'2' * 32}.card.webp 400w, {url} 800w"


def test_a_camera_pictures_copy_stands_as_the_browser_shows_the_picture_with_its_colour_profile():
    from PIL import ImageCms

    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned; browsers show the picture rotated upright (portrait)
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = images.make_card_copy(_image((1600, 1200), "JPEG", exif=exif, icc_profile=profile))
    with Image.open(io.BytesIO(data)) as img:
        assert img.size == (400, 533) and img.info.get("icc_profile") == profile
