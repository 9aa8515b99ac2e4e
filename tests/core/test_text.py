from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua_desktop.core.text import (
    display_decimals,
    fold,
    format_against,
    format_date,
    format_money,
    format_number,
    format_percent,
    parse_date,
    parse_number,
    sort_key,
)


def test_fold_ignores_accents_case_and_d_stroke() -> None:
    assert fold("Hòa GIẢI") == "hoa giai"
    assert fold("Đồng Tháp") == fold("dong thap")


def test_vietnamese_collation() -> None:
    names = ["Đức", "Dung", "Ăn", "An", "Âm", "Bình", "Ánh", "anh"]
    assert sorted(names, key=sort_key) == ["An", "anh", "Ánh", "Ăn", "Âm", "Bình", "Dung", "Đức"]


def test_number_and_date_formats() -> None:
    assert format_number(1234567) == "1.234.567"
    assert format_money(25_000_000) == "25.000.000 đ"
    assert format_number(98.25, decimals=1) == "98,2" or format_number(98.25, decimals=1) == "98,3"
    assert format_date(date(2024, 2, 5)) == "05/02/2024"
    assert parse_date("5/2/2024") == date(2024, 2, 5)
    assert parse_number("1.234.567 đ") == 1234567
    with pytest.raises(ValueError, match="không có thật"):
        parse_date("31/02/2024")
    with pytest.raises(ValueError, match="không phải là số"):
        parse_number("mười")


@given(st.integers(min_value=0, max_value=10**15))
def test_number_format_round_trips(value: int) -> None:
    assert parse_number(format_number(value)) == value


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậ ", max_size=12), st.text(max_size=12))
def test_sort_key_is_a_total_order_consistent_with_equality(a: str, b: str) -> None:
    if sort_key(a) == sort_key(b):
        assert a.lower() == b.lower() or fold(a) == fold(b)


def test_iso_dates_get_the_format_message() -> None:
    with pytest.raises(ValueError, match="ngày/tháng/năm"):
        parse_date("2025-05-20")
    with pytest.raises(ValueError, match="tách hàng nghìn"):
        parse_number("1.5")


def test_a_figure_below_its_target_never_displays_as_reaching_it() -> None:
    assert format_percent(2212 / 2213 * 100) == "99,95%"
    assert format_percent(99.96) == "99,96%" and format_percent(99.94) == "99,9%"
    assert format_percent(88.888) == "88,9%" and format_percent(100.0) == "100,0%" and format_percent(125.0) == "125,0%"
    assert format_percent(4 / 7 * 100, target=57.2) == "57,1%"
    assert format_percent(66.666, target=66.67) == "66,666%"
    assert format_against(79.96, 80.0) == "79,96" and format_against(80.04, 80.04) == "80,04"
    assert display_decimals(99.955, 100.0) == 2 and display_decimals(50.0, 100.0) == 1
    assert format_against(1234.5, None) == "1.234,5"


def _shown(text: str) -> float:
    return float(text.rstrip("%").replace(".", "").replace(",", "."))


@given(st.floats(min_value=0, max_value=1000, allow_nan=False), st.floats(min_value=0, max_value=1000, allow_nan=False))
def test_display_stays_on_the_side_of_the_target(value: float, target: float) -> None:
    shown = _shown(format_percent(value, target=target))
    assert (shown < target) == (value < target)
    assert abs(shown - value) <= 0.06


def test_dates_are_read_as_written_and_never_guessed() -> None:
    for written in ("05/02/2024", "5/2/2024", "5.2.2024", "05-02-2024", " 5 / 2 / 2024 "):
        assert parse_date(written) == date(2024, 2, 5), written
    assert parse_date("29/2/2024") == date(2024, 2, 29)
    for impossible in ("29/02/2023", "31/4/2024", "0/1/2024", "1/13/2024"):
        with pytest.raises(ValueError, match="không có thật trên lịch"):
            parse_date(impossible)
    for malformed in ("5/2/24", "2024-02-05", "5/2", "", "ngày 5", "123/1/2024"):
        with pytest.raises(ValueError, match="không đúng dạng ngày/tháng/năm"):
            parse_date(malformed)
