"""Model-level rules: fuzzy dates, sources, ids."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from sahel.registry.models import Actor, FuzzyDate, Source, Tie


@pytest.mark.parametrize(
    ("raw", "precision", "first", "last"),
    [
        ("2014", "year", dt.date(2014, 1, 1), dt.date(2014, 12, 31)),
        (2014, "year", dt.date(2014, 1, 1), dt.date(2014, 12, 31)),
        ("2021-12", "month", dt.date(2021, 12, 1), dt.date(2021, 12, 31)),
        ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (dt.date(2023, 9, 16), "day", dt.date(2023, 9, 16), dt.date(2023, 9, 16)),
    ],
)
def test_fuzzy_date_forms(raw: object, precision: str, first: dt.date, last: dt.date) -> None:
    value = FuzzyDate.model_validate(raw)
    assert value.precision == precision
    assert (value.first, value.last) == (first, last)


def test_fuzzy_date_mapping_keeps_basis_and_approx() -> None:
    value = FuzzyDate.model_validate(
        {"value": "2023-12", "precision": "month", "approx": True, "basis": "doc 003"}
    )
    assert str(value) == "~2023-12"
    assert value.basis == "doc 003"


def test_fuzzy_date_rejects_precision_it_does_not_have() -> None:
    with pytest.raises(ValidationError, match="written to day precision"):
        FuzzyDate.model_validate({"value": "2023-07-26", "precision": "month"})


@pytest.mark.parametrize("raw", ["2023-02-30", "23-07", "July 2023"])
def test_fuzzy_date_rejects_bad_dates(raw: str) -> None:
    with pytest.raises(ValidationError):
        FuzzyDate.model_validate(raw)


def test_source_needs_what_and_where() -> None:
    with pytest.raises(ValidationError, match=r"doc` .* or `citation"):
        Source.model_validate({"url": "https://example.org"})
    with pytest.raises(ValidationError, match="locator"):
        Source.model_validate({"citation": "A book"})
    assert Source.model_validate({"doc": 2, "quote": "q"}).doc == "002"


def test_actor_rejects_bad_id_and_country() -> None:
    base = {"name": "X", "kind": "state", "position": {"value": "south", "basis": "b"}}
    with pytest.raises(ValidationError, match="ids are lower-case"):
        Actor.model_validate({**base, "id": "Bad Id"})
    with pytest.raises(ValidationError, match="alpha-3"):
        Actor.model_validate({**base, "id": "x", "country": "XXX"})


def test_tie_active_on_uses_first_day_of_each_period() -> None:
    tie = Tie.model_validate({
        "id": "t", "type": "training", "label": "t",
        "parties": [{"actor": "a", "role": "provider"}, {"actor": "b", "role": "recipient"}],
        "start": "2021-12", "end": "2022-08-15",
        "sources": [{"citation": "c", "url": "https://example.org"}],
    })
    assert not tie.active_on(dt.date(2021, 11, 30))
    assert tie.active_on(dt.date(2021, 12, 1))
    assert tie.active_on(dt.date(2022, 8, 15))
    assert not tie.active_on(dt.date(2022, 8, 16))
    planned = tie.model_copy(update={"status": "planned"})
    assert not planned.active_on(dt.date(2022, 1, 1))
