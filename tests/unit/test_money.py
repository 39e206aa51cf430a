import pytest

from rxshop.money import format_money


@pytest.mark.parametrize(
    "cents,currency,expected",
    [(0, "usd", "$0.00"), (1050, "usd", "$10.50"), (123456789, "usd", "$1,234,567.89"),
     (1000, "eur", "€10.00"), (500, "jpy", "¥500")],
)
def test_format_money(cents, currency, expected):
    assert format_money(cents, currency) == expected


@pytest.mark.parametrize("bad", [10.5, "100", True, None])
def test_format_money_rejects_non_integers(bad):
    with pytest.raises(TypeError):
        format_money(bad)


@pytest.mark.parametrize("code,locale", [("USD", "en_US"), ("EUR", "de_DE"), ("EUR", "fr_FR"), ("JPY", "en_US"),
                                         ("KWD", "en_US"), ("CHF", "de_CH"), ("SEK", "sv_SE"), ("INR", "en_IN")])
def test_formatting_prints_exactly_what_babel_prints(code, locale):
    """The layout read once from Babel (or Babel itself where the layout is unusual) for amounts a cart may sum to."""
    import random

    from rxshop import money

    rng = random.Random(7)
    amounts = [0, 1, 9, 10, 99, 100, 999, 1000, 10**6, 10**9 + 1, -2550] + [rng.randrange(10**rng.randrange(1, 14))
                                                                           for _ in range(500)]
    for n in amounts:
        assert format_money(n, code.lower(), locale) == money._babel(n, code, locale), (n, code, locale)


def test_an_unusual_layout_is_left_to_babel():
    from rxshop import money

    assert money._layout("INR", "en_IN") is None  # lakh grouping: 12,34,567.89
    assert money._layout("USD", "en_US") is not None
