"""Filters and headline figures on the real bundled incidents; no geo function mutates input."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo import filters, stats
from geo import schema as s
from geo.filters import IncidentFilter
from geo.i18n import ENGLISH

from .conftest import fixture_frame


@pytest.fixture(scope="module")
def incidents():
    return fixture_frame()


def test_date_filter_is_inclusive_at_both_ends(incidents) -> None:
    got = filters.apply(incidents, IncidentFilter(date(2025, 11, 26), date(2025, 11, 30)))
    assert sorted(got[s.DATE].dt.date.astype(str)) == ["2025-11-26", "2025-11-30"]


def test_region_and_type_filters(incidents) -> None:
    flt = IncidentFilter(date(2020, 1, 1), date(2026, 11, 1), regions=("TJ-GB",),
                         types=("cross_border_attack",))
    got = filters.apply(incidents, flt)
    assert list(got[s.ID]) == ["PBW-0025"]
    everything = filters.apply(incidents, IncidentFilter(date(2020, 1, 1), date(2026, 11, 1)))
    assert len(everything) == len(incidents)


def test_badakhshan_on_each_side_is_told_apart(incidents) -> None:
    span = (date(2020, 1, 1), date(2026, 11, 1))
    af = filters.apply(incidents, IncidentFilter(*span, regions=("AF-BDS",)))
    tj = filters.apply(incidents, IncidentFilter(*span, regions=("TJ-GB",)))
    assert set(af[s.COUNTRY]) == {"AF"} and set(tj[s.COUNTRY]) == {"TJ"}
    assert not set(af[s.ID]) & set(tj[s.ID])


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [({"start": date(2025, 2, 1), "end": date(2025, 1, 1)}, r"start \(2025-02-01\) must not"),
     ({"regions": ("Badakhshan",)}, r"regions \['Badakhshan'\] are not ISO 3166-2 codes"),
     ({"types": ("Battles",)}, r"types \['Battles'\] are not event types"),
     ({"actors": ("Taliban",)}, r"actors \['Taliban'\] are not actor groups: taliban, ")],
)
def test_bad_filter_names_what_is_wrong(kwargs, pattern) -> None:
    args = {"start": date(2025, 1, 1), "end": date(2025, 2, 1), **kwargs}
    with pytest.raises(ValueError, match=pattern):
        IncidentFilter(**args)


def test_headline_sums_reported_figures_and_counts_unknowns(incidents) -> None:
    h = stats.headline(incidents)
    assert h.incidents == 30
    assert h.killed == int(pd.to_numeric(incidents[s.FATALITIES]).sum())
    assert h.killed == 40 and h.injured == 23
    assert h.killed_unreported == int(incidents[s.FATALITIES].isna().sum()) > 0
    assert h.unlocated == 3
    assert (h.first, h.last) == (date(2020, 6, 13), date(2026, 4, 17))


def test_headline_of_the_two_november_attacks(incidents) -> None:
    flt = IncidentFilter(date(2025, 11, 26), date(2025, 12, 1), regions=("TJ-KT", "TJ-GB"))
    h = stats.headline(filters.apply(incidents, flt))
    assert (h.incidents, h.killed, h.injured) == (2, 5, 3)


def test_empty_headline() -> None:
    empty = pd.DataFrame(columns=[s.DATE, s.FATALITIES, s.INJURED, s.LAT])
    assert stats.headline(empty).incidents == 0


def test_time_series_adds_up(incidents) -> None:
    monthly = stats.time_series(incidents, period="month", by_region=True)
    assert monthly["incidents"].sum() == 30
    assert monthly["killed"].sum() == 40
    nov = monthly[(monthly.period_start == "2025-11-01") & (monthly.region_code == "TJ-KT")]
    assert int(nov["incidents"].iloc[0]) == 2  # 20 and 26 November
    with pytest.raises(ValueError, match=r"period must be one of"):
        stats.time_series(incidents, period="decade")  # type: ignore[arg-type]


def test_counts_by_region_cover_every_region(incidents) -> None:
    counts = stats.counts_by_region(incidents)
    assert set(counts) == set(s.REGIONS) and sum(counts.values()) == 30


def test_no_geo_function_mutates_its_input(incidents, provinces) -> None:
    from geo import exports, mapview, tables

    before = incidents.copy()
    flt = IncidentFilter(date(2020, 1, 1), date(2026, 11, 1), regions=("TJ-KT",))
    filters.apply(incidents, flt)
    stats.headline(incidents)
    stats.time_series(incidents, by_region=True)
    tables.incident_table(incidents)
    exports.to_csv(incidents)
    exports.to_geojson(incidents)
    mapview.build_layers(incidents, provinces, stats.counts_by_region(incidents), _=ENGLISH)
    pd.testing.assert_frame_equal(incidents, before)


def test_previous_period_has_the_same_length() -> None:
    assert stats.previous_period(date(2025, 11, 26), date(2025, 12, 1)) == (
        date(2025, 11, 20), date(2025, 11, 25))
    assert stats.previous_period(date(2024, 3, 1), date(2024, 3, 1)) == (
        date(2024, 2, 29), date(2024, 2, 29))


def test_region_change_flags_large_moves(incidents) -> None:
    start, end = date(2025, 7, 1), date(2026, 4, 30)
    now = filters.apply(incidents, IncidentFilter(start, end))
    before = filters.apply(incidents, IncidentFilter(*stats.previous_period(start, end)))
    table = stats.region_change(now, before).set_index("region_code")
    assert list(table.index) == list(s.REGIONS)  # every region once, in order
    kt = table.loc["TJ-KT"]
    assert (kt["incidents"], kt["incidents_before"], kt["flag"]) == (7, 1, "rise")
    assert kt["change"] == pytest.approx(6.0)
    assert table.loc["AF-BDS", "flag"] == "new"  # 3 now, none before
    assert table.loc["TJ-GB", "flag"] == ""  # 1 against 0: too few to flag
    assert table["incidents"].sum() == len(now)


@pytest.mark.parametrize(("first", "last", "short"), [
    (None, None, "—"),
    (date(2025, 11, 26), date(2025, 11, 26), "26 Nov 2025"),
    (date(2025, 11, 1), date(2025, 11, 30), "Nov 2025"),
    (date(2025, 3, 1), date(2025, 11, 30), "Mar–Nov 2025"),
    (date(2020, 6, 13), date(2026, 4, 17), "Jun 2020 – Apr 2026"),
])
def test_span_in_words(first, last, short) -> None:
    got, exact = stats.span_text(first, last, _=ENGLISH)
    assert got == short
    assert (first is None) or ENGLISH.date(first) in exact


def test_source_filter_finds_the_shown_record_and_those_merged_into_it() -> None:
    frame = pd.DataFrame({s.DATE: pd.to_datetime(["2025-01-01"] * 4),
                          s.PROVIDER: ["", "acled", "ucdp", "curated"],
                          s.ALSO_REPORTED: ["acled:TJK1=3", "", "acled:TJK2=1", ""]})
    day = date(2025, 1, 1)
    assert filters.mask(frame, IncidentFilter(day, day, sources=("acled",))).tolist() == \
        [True, True, True, False]
    assert filters.mask(frame, IncidentFilter(day, day, sources=("curated",))).tolist() == \
        [True, False, False, True]
    with pytest.raises(ValueError, match=r"sources \['gdelt'\] are not datasets"):
        IncidentFilter(day, day, sources=("gdelt",))


def test_actor_filter_matches_whole_codes_only() -> None:
    frame = pd.DataFrame({s.DATE: pd.to_datetime(["2025-01-01"] * 4),
                          s.ACTORS: ["taliban,tajik_forces", "smugglers", "", "civilians,chinese"]})
    flt = IncidentFilter(date(2025, 1, 1), date(2025, 1, 1), actors=("tajik_forces", "chinese"))
    assert filters.mask(frame, flt).tolist() == [True, False, False, True]
    # "taliban" must not match inside another code, nor an empty cell
    assert filters.actor_mask(frame, ("taliban",)).tolist() == [True, False, False, False]
    assert filters.mask(frame, flt.without_actors).all()
