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
