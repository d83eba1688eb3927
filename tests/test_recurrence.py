"""Recurring sessions: market days every week, or every N days, always with an end."""

from datetime import date

import pytest

from planner.errors import PlannerError
from planner.sessions.drafts import Recurrence, occurrence_dates

SUNDAY = date(2026, 11, 29)


def test_weekly_market_on_sundays_for_a_count(app):
    days = occurrence_dates(SUNDAY, Recurrence("weekly", frozenset({6}), count=4))
    assert days == [date(2026, 11, 29), date(2026, 12, 6), date(2026, 12, 13), date(2026, 12, 20)]


def test_weekly_on_two_weekdays_until_a_date(app):
    days = occurrence_dates(
        date(2026, 11, 23), Recurrence("weekly", frozenset({1, 4}), until=date(2026, 12, 4))
    )
    assert days == [date(2026, 11, 24), date(2026, 11, 27), date(2026, 12, 1), date(2026, 12, 4)]


def test_weekly_without_weekdays_repeats_the_first_days_weekday(app):
    days = occurrence_dates(SUNDAY, Recurrence("weekly", count=2))
    assert days == [SUNDAY, date(2026, 12, 6)]


def test_market_cycle_every_six_days(app):
    days = occurrence_dates(date(2026, 11, 23), Recurrence("interval", interval_days=6, count=3))
    assert days == [date(2026, 11, 23), date(2026, 11, 29), date(2026, 12, 5)]


def test_a_series_without_an_end_is_refused(app):
    with pytest.raises(PlannerError) as error:
        occurrence_dates(SUNDAY, Recurrence("weekly", frozenset({6})))
    assert error.value.field == "until"


def test_an_end_before_the_start_is_refused(app):
    with pytest.raises(PlannerError):
        occurrence_dates(SUNDAY, Recurrence("weekly", until=date(2026, 11, 1)))


def test_a_series_longer_than_the_limit_is_refused(app):
    app.config["MAX_SERIES_OCCURRENCES"] = 10
    with pytest.raises(PlannerError) as error:
        occurrence_dates(
            date(2026, 11, 23), Recurrence("interval", interval_days=1, until=date(2027, 1, 31))
        )
    assert "10" in error.value.message


def test_too_far_an_end_is_refused(app):
    with pytest.raises(PlannerError):
        occurrence_dates(SUNDAY, Recurrence("weekly", until=date(2029, 1, 1)))


def test_an_impossible_interval_is_refused(app):
    with pytest.raises(PlannerError) as error:
        occurrence_dates(SUNDAY, Recurrence("interval", interval_days=0, count=3))
    assert error.value.field == "interval_days"
