"""Smaller copies of product pictures (rxshop/images.py): 400 and 800 px wide beside every demo picture and every
upload wider than that, offered to the browser in the pages' `srcset`; none for narrow or animated pictures."""
import io
import os
import subprocess
import sys

from PIL import Image

from rxshop import catalog, images
from rxshop.admin import media
from rxshop.models import Product
from rxshop.seed import SEED_PRODUCTS
from rxshop.settings import get_settings


def _image(size, fmt="PNG", mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red").save(out, fmt, **save)
    return out.getvalue()


def test_every_demo_picture_has_its_400_px_copy_in_its_srcset():
    for data in SEED_PRODUCTS:
        url = data["image"]  # 800 × 600: no 800 px copy
        copy_file = images.stored_file(images.copy_url(url, 400))
        with Image.open(images.stored_file(url)) as img, Image.open(copy_file) as copy:
            assert (img.size, copy.format, copy.size) == ((800, 600), "JPEG", (400, 300)), url
        assert images.srcset(url) == f"{url.removesuffix('.jpg')}.w400.jpg 400w, {url} 800w"


def test_a_picture_without_copies_or_not_ours_is_offered_alone():
    for url in ("/products/no-such-picture.jpg", "https://cdn.example.com/x.jpg", "//cdn.example.com/x.jpg",
                "/../rxshop/settings.py", "/api/images/not-a-name.png", "/favicon", ""):
        assert images.srcset(url) == ""


def test_an_upload_gets_the_copies_it_is_wider_than(tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "rxshop_images_dir", str(tmp_path))
    url = media.save_image(io.BytesIO(_image((2000, 1000), mode="RGBA")))
    for width in (400, 800):
        name = images.copy_url(url, width).removeprefix(media.IMAGE_URL_PREFIX)
        with Image.open(media.image_path(name)) as img:  # served like the picture itself
            assert (img.format, img.size, img.mode) == ("PNG", (width, width // 2), "RGBA")
    both = f"{images.copy_url(url, 400)} 400w, {images.copy_url(url, 800)} 800w, {url} 1600w"
    assert images.srcset(url) == both
    card = catalog.to_card(catalog.ProductRow(1, "p", "P", "", 100, "usd", url, "", None, True))
    assert card.srcset == both

    url = media.save_image(io.BytesIO(_image((600, 450), "JPEG")))  # only the 400 px copy
    assert images.srcset(url) == f"{images.copy_url(url, 400)} 400w, {url} 800w"
    frames = [Image.new("RGB", (800, 600), c) for c in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    for data in (_image((400, 300), "JPEG"), out.getvalue()):  # too narrow; animated
        url = media.save_image(io.BytesIO(data))
        assert images.srcset(url) == ""
    assert len(list(tmp_path.iterdir())) == 3 + 2 + 2


def test_a_camera_pictures_copy_stands_as_the_browser_shows_the_picture_with_its_colour_profile():
    from PIL import ImageCms

    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned; browsers show the picture rotated upright (portrait)
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    copies = images.make_copies(_image((1600, 1200), "JPEG", exif=exif, icc_profile=profile))
    for width, height in ((400, 533), (800, 1067)):
        with Image.open(io.BytesIO(copies[width])) as img:
            assert (img.format, img.size) == ("JPEG", (width, height)) and img.info.get("icc_profile") == profile


def test_pictures_uploaded_before_copies_get_them_from_the_command(engine, db, tmp_path):
    pictures = tmp_path / "images"
    pictures.mkdir()
    wide, narrow = "0" * 32 + ".jpg", "1" * 32 + ".png"  # as uploaded before: no copies beside them
    (pictures / wide).write_bytes(_image((1200, 900), "JPEG"))
    (pictures / narrow).write_bytes(_image((300, 200)))
    db.add_all([Product(slug=f"p{i}", name=f"P{i}", price_cents=100, image=media.IMAGE_URL_PREFIX + name)
                for i, name in enumerate((wide, narrow))])
    db.commit()
    env = {**os.environ, "REFLEX_DB_URL": str(engine.url), "RXSHOP_IMAGES_DIR": str(pictures)}
    for made in ("2", "0"):  # a second run finds nothing left to do
        out = subprocess.run([sys.executable, "-m", "rxshop.admin", "image-copies"], env=env, capture_output=True,
                             text=True, check=True)
        assert out.stdout.strip() == f"{made} smaller copies made"
    with Image.open(pictures / ("0" * 32 + ".w800.jpg")) as img:
        assert img.size == (800, 600)
    assert sorted(p.name for p in pictures.iterdir()) == sorted([wide, narrow, "0" * 32 + ".w400.jpg",
                                                                 "0" * 32 + ".w800.jpg"])


def test_copies_made_later_are_offered_after_a_while_and_a_picture_is_looked_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "rxshop_images_dir", str(tmp_path))
    name = "2" * 32 + ".webp"
    (tmp_path / name).write_bytes(_image((1000, 750), "WEBP"))
    url = media.IMAGE_URL_PREFIX + name
    assert images.srcset(url) == ""
    assert images.make_missing_copies([url, url]) == 2
    assert images.srcset(url) == ""  # as it was, until it is looked at again
    later = images._clock() + images.RECHECK_SECONDS + 1
    monkeypatch.setattr(images, "_clock", lambda: later)  # a minute on
    both = f"{images.copy_url(url, 400)} 400w, {images.copy_url(url, 800)} 800w, {url} 1600w"
    assert images.srcset(url) == both
    monkeypatch.setattr(images, "stored_file", None)  # a picture with every copy is not looked at again
    monkeypatch.setattr(images, "_clock", lambda: later + 100 * images.RECHECK_SECONDS)
    assert images.srcset(url) == both


def test_the_cart_and_the_consoles_list_offer_the_copies_too():
    from rxshop import carts
    from rxshop.admin import products as admin_products

    url = SEED_PRODUCTS[0]["image"]
    row = catalog.ProductRow(1, "p", "P", "", 100, "usd", url, "", None, True)
    assert carts.line(row, 1, "usd").srcset == images.srcset(url) != ""
    assert admin_products.to_row(Product(id=1, slug="p", name="P", price_cents=100, image=url)).srcset \
        == images.srcset(url)
