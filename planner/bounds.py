"""Values from outside bounded where they enter: path ints, query-string ints and dates, form text.

A value the database or the calendar arithmetic cannot hold ends in a 4xx where it enters the app,
never in a 500 deep in a query: `<int:...>` in a URL beyond the database's integer is a 404,
`request.args.get(..., type=int)` beyond it falls back to the default, a date too far from today
to plan with is refused by `parse_date`, and every form drops NUL bytes (PostgreSQL refuses them in
text) and refuses numbers or dates out of range (`planner.forms.PlannerForm`).
"""

from __future__ import annotations

from datetime import date

from flask import Flask, Request
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter, ValidationError
from werkzeug.utils import cached_property

# PostgreSQL's INTEGER (SQLite holds 64 bits, but the app must behave the same on both).
DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1
# Dates the planner can plan, report and do week or period arithmetic with: `date.max` plus a
# week, or `date.min` minus one, overflows; a century either side of today is plenty.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)


def int_in_range(value: int) -> bool:
    """True when `value` fits the database's INTEGER column."""
    return DB_INT_MIN <= value <= DB_INT_MAX


def date_in_range(value: date) -> bool:
    """True when `value` lies between DATE_MIN and DATE_MAX (week and period arithmetic safe)."""
    return DATE_MIN <= value <= DATE_MAX


def parse_date(text: str) -> date:
    """An ISO date (`YYYY-MM-DD`) from a query string; ValueError when malformed or out of range."""
    value = date.fromisoformat(text)
    if not date_in_range(value):
        raise ValueError(f"{value} is outside {DATE_MIN}..{DATE_MAX}")
    return value


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in a URL: a value beyond the database's integer is a 404 like any unknown id."""

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextConverter(UnicodeConverter):
    """`<token>` and other text in a URL: a NUL byte (`%00`) is a 404, never a database error."""

    def to_python(self, value: str) -> str:
        if "\x00" in value:
            raise ValidationError()
        return value


class TextPathConverter(PathConverter):
    """`<path:...>` as TextConverter."""

    def to_python(self, value: str) -> str:
        if "\x00" in value:
            raise ValidationError()
        return value


def _bounded(value, default, type):
    if type is int and isinstance(value, int) and not int_in_range(value):
        return default
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "")
    return value


class BoundedArgs(ImmutableMultiDict):
    """Query-string and form values: `get(key, type=int)` beyond the database's integer is the
    default (as a value that is no number at all), and NUL bytes never come out of `get`."""

    def get(self, key, default=None, type=None):  # type: ignore[override]
        return _bounded(super().get(key, default, type), default, type)


class BoundedValues(CombinedMultiDict):
    """`request.values` (query string and form together), bounded as BoundedArgs."""

    def get(self, key, default=None, type=None):  # type: ignore[override]
        return _bounded(super().get(key, default, type), default, type)


class PlannerRequest(Request):
    parameter_storage_class = BoundedArgs

    @cached_property
    def values(self) -> CombinedMultiDict:
        # The parent's cached property, read through its getter so the result stays bounded.
        return BoundedValues(Request.values.fget(self).dicts)  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    """Register the bounded `int` converter and request class for the whole app."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
    app.url_map.converters["path"] = TextPathConverter
    app.request_class = PlannerRequest
