"""A weekly meeting time for a pair or a group: inside everyone's waking hours in their own
zone on every week (daylight saving included), inside the times they gave, off their public
holidays. The checks here recompute local times with zoneinfo, not with the module's code."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from mentorctl.calendars import slots
from mentorctl.calendars.for_program import attendee
from mentorctl.calendars.slots import Attendee, NoCommonTime

ANN = Attendee("Ann Weber", "ann@example.org", "Europe/Berlin")
BO = Attendee("Bo Smith", "bo@example.org", "America/New_York")
MARCH = dt.date(2026, 3, 2)  # New York moves its clocks on 8 March, Berlin on 29 March


def _local(start: dt.datetime, person: Attendee) -> dt.datetime:
    return start.astimezone(ZoneInfo(person.timezone or "UTC"))


def _inside_waking(start: dt.datetime, person: Attendee, minutes: int) -> bool:
    local = _local(start, person)
    end = local + dt.timedelta(minutes=minutes)
    return local.date() == end.date() and dt.time(8) <= local.time() and end.time() <= dt.time(21)


def test_a_pair_across_the_atlantic_meets_inside_both_waking_days_in_every_week() -> None:
    meeting = slots.propose([ANN, BO], first_day=MARCH, weeks=8)
    starts = meeting.held()
    assert len(starts) == 8
    assert all(_inside_waking(s, p, 45) for s in starts for p in (ANN, BO))
    # The time is kept on the first attendee's clock; the other's moves with the clocks.
    assert {_local(s, ANN).strftime("%H:%M") for s in starts} == {"18:00"}
    assert len({_local(s, BO).strftime("%H:%M") for s in starts}) == 2
    # Week k's meeting falls in week k, the day after the first at the earliest.
    for k, start in enumerate(starts):
        assert (
            MARCH + dt.timedelta(weeks=k)
            < _local(start, ANN).date()
            < MARCH + dt.timedelta(weeks=k + 1)
        )


def test_the_time_on_each_clock_says_when_it_moves() -> None:
    meeting = slots.propose([ANN, BO], first_day=MARCH, weeks=8)
    lines = slots.local_times(meeting, [ANN, BO])
    assert lines[0].text == "Tuesdays 18:00-18:45 (Europe/Berlin)"
    assert lines[1].text == (
        "Tuesdays 12:00-12:45, from 10 March: 13:00-13:45, from 31 March: 12:00-12:45 "
        "(America/New_York)"
    )
    assert slots.describe(meeting, [ANN, BO]).startswith("Ann Weber: Tuesdays 18:00-18:45")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Weekday evenings", {(d, 17 * 60, 21 * 60) for d in range(5)}),
        (
            "Weekday evenings, Saturday mornings",
            {(d, 17 * 60, 21 * 60) for d in range(5)} | {(5, 8 * 60, 12 * 60)},
        ),
        ("Tuesdays 6pm-8pm", {(1, 18 * 60, 20 * 60)}),
        ("weekends", {(5, 0, 1440), (6, 0, 1440)}),
        ("18:00-20:30", {(d, 18 * 60, 20 * 60 + 30) for d in range(7)}),
        ("Mon or Thu lunchtime", {(0, 0, 1440), (3, 12 * 60, 14 * 60)}),
    ],
)
def test_given_times_are_read_as_windows_per_weekday(text: str, expected: set) -> None:
    assert slots.windows(text) == expected


@pytest.mark.parametrize("text", [None, "", "Anytime", "any", "flexible", "it depends"])
def test_an_answer_that_says_nothing_readable_constrains_nothing(text: str | None) -> None:
    assert slots.windows(text) is None


def test_given_times_are_kept_in_each_persons_own_zone() -> None:
    ann = Attendee("Ann", "ann@example.org", "Europe/Berlin", available="weekday evenings")
    bo = Attendee("Bo", "bo@example.org", "Europe/London", available="Thursdays")
    meeting = slots.propose([ann, bo], first_day=MARCH, weeks=8)
    for start in meeting.held():
        berlin = _local(start, ann)
        assert berlin.weekday() == 3 and dt.time(17) <= berlin.time() <= dt.time(20, 15)
        assert _local(start, bo).weekday() == 3


def test_no_common_time_is_said_plainly() -> None:
    ann = Attendee("Ann", "ann@example.org", "Europe/Berlin", available="weekday evenings")
    kai = Attendee("Kai", "kai@example.org", "Asia/Tokyo", available="weekday evenings")
    with pytest.raises(NoCommonTime, match=r"no weekly time of 45 minutes .* within the times"):
        slots.propose([ann, kai], first_day=MARCH, weeks=8)
    # Three people eight hours apart share no waking hour at all.
    spread = [
        Attendee("A", "a@example.org", "UTC-8"),
        Attendee("B", "b@example.org", "UTC"),
        Attendee("C", "c@example.org", "UTC+8"),
    ]
    with pytest.raises(NoCommonTime, match=r"UTC-08:00, UTC, UTC\+08:00"):
        slots.propose(spread, first_day=MARCH, weeks=8)


def test_public_holidays_of_each_country_are_skipped() -> None:
    ann = Attendee("Ann", "ann@example.org", "Europe/Berlin", available="Fridays")
    cat = Attendee("Cat", "cat@example.org", "Europe/London", available="Fridays")
    meeting = slots.propose([ann, cat], first_day=dt.date(2026, 12, 21), weeks=3)
    days = [_local(s, ann).date() for s in meeting.starts()]
    assert days == [dt.date(2026, 12, 25), dt.date(2027, 1, 1), dt.date(2027, 1, 8)]
    assert [_local(s, ann).date() for s in meeting.skipped] == days[:2]
    assert [_local(s, ann).date() for s in meeting.held()] == [dt.date(2027, 1, 8)]
    # Without a constraint, the weekly time is one that no holiday falls on.
    free = slots.propose([ANN, BO], first_day=dt.date(2026, 12, 21), weeks=3)
    assert free.skipped == ()


def test_a_holiday_of_one_country_only_skips_that_week() -> None:
    # 3 October is German Unity Day, a Saturday in 2026; in the UK it is no holiday.
    ann = Attendee("Ann", "ann@example.org", "Europe/Berlin", available="Saturday mornings")
    bo = Attendee("Bo", "bo@example.org", "Europe/London", available="Saturdays")
    meeting = slots.propose([ann, bo], first_day=dt.date(2026, 9, 28), weeks=2)
    assert [_local(s, ann).date() for s in meeting.skipped] == [dt.date(2026, 10, 3)]


@pytest.mark.parametrize(
    ("person", "country"),
    [
        (Attendee("A", "a@x.org", "Europe/Berlin"), "DE"),
        (Attendee("A", "a@x.org", "America/Sao_Paulo"), "BR"),
        (Attendee("A", "a@x.org", "Europe/Berlin", country="fr"), "FR"),
        (Attendee("A", "a@x.org", "UTC+1", country="Germany"), "DE"),
        (Attendee("A", "a@x.org", "UTC+1"), None),
        (Attendee("A", "a@x.org", None), None),
    ],
)
def test_a_persons_country_comes_from_the_form_or_their_zone(person, country) -> None:
    assert slots.country_of(person) == country


def test_a_stored_person_becomes_an_attendee_with_the_forms_answers() -> None:
    doc = {
        "name": "Ann Weber",
        "email": "ann@example.org",
        "timezone": "Europe/Berlin",
        "goals": ["Networking"],
        "extra": {"availability": "weekday evenings", "country": "AT"},
    }
    assert attendee(doc) == Attendee(
        "Ann Weber", "ann@example.org", "Europe/Berlin", "AT", "weekday evenings"
    )


def test_an_unknown_zone_constrains_nothing_and_is_shown_in_utc() -> None:
    lost = Attendee("Lu", "lu@example.org", "somewhere nice")
    meeting = slots.propose([ANN, lost], first_day=MARCH, weeks=2)
    assert slots.local_times(meeting, [ANN, lost])[1].text == "Tuesdays 17:00-17:45 (UTC)"


def test_a_time_that_fits_the_first_week_only_is_not_proposed() -> None:
    # Auckland and Berlin are 12 hours apart in mid-March, 11 after Berlin's clocks go
    # forward (29 March) and 10 after Auckland's go back (5 April): 08:00 in Auckland is 20:00
    # in Berlin in the first week, and 21:00, then 22:00, later on.
    kiri = Attendee("Kiri", "kiri@example.org", "Pacific/Auckland")
    meeting = slots.propose([kiri, ANN], first_day=dt.date(2026, 3, 16), weeks=8)
    starts = meeting.held()
    assert len(starts) == 8
    assert all(_inside_waking(s, p, 45) for s in starts for p in (kiri, ANN))
    assert {_local(s, ANN).strftime("%H:%M") for s in starts} == {"08:00", "09:00", "10:00"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("20:00-23:00", "20:00"),  # it must end by 21:00
        ("20:30-23:00", None),
        ("06:00-09:00", "08:00"),  # nor start before 08:00
        ("06:00-08:30", None),
    ],
)
def test_given_times_beyond_the_waking_hours_are_cut_to_them(given: str, expected) -> None:
    ann = Attendee("Ann", "ann@example.org", "Europe/Berlin", available=given)
    cat = Attendee("Cat", "cat@example.org", "Europe/Paris")
    if expected is None:
        with pytest.raises(NoCommonTime):
            slots.propose([ann, cat], first_day=MARCH, weeks=4)
        return
    meeting = slots.propose([ann, cat], first_day=MARCH, weeks=4)
    assert {_local(s, ann).strftime("%H:%M") for s in meeting.held()} == {expected}
