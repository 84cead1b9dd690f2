"""Gazetteer points: name matching held to the country and province, ids re-derive points."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import gazetteer, validate
from geo import schema as s

from .conftest import good_row


@pytest.mark.parametrize(("name", "region", "geonameid"), [
    ("Imam Sahib", "AF-KDZ", 1142545), ("imām şāḩib", "AF-KDZ", 1142545),
    ("Dasht-e Qala", "AF-TAK", 1143814), ("Dasht Qala", "AF-TAK", 1143814),
    ("Shurobod", "TJ-KT", 1220479), ("Deh Khwahan", "AF-BDS", 1136354),
])
def test_names_match_with_or_without_accents_and_hyphens(name, region, geonameid,
                                                         provinces) -> None:
    hits = gazetteer.find(name, region=region, provinces=provinces)
    assert hits and hits[0][0].geonameid == geonameid and hits[0][1] <= 1


@pytest.mark.parametrize(("name", "region"), [
    ("Langar", "AF-BDS"),   # the only cities500 Langar is in Baghlan
    ("Yawan", "AF-BDS"),    # "Yovan" is an alternate name of Yovon, in Tajikistan
    ("Baharak", "TJ-KT"),   # the Afghan Baharak, not the Tajik Bahorak post
    ("Shodak", "TJ-GB"),    # villages and posts are not in cities500
])
def test_namesakes_elsewhere_are_refused(name, region, provinces) -> None:
    assert gazetteer.find(name, region=region, provinces=provinces) == []


def test_unknown_region_is_named(provinces) -> None:
    with pytest.raises(ValueError, match=r"region must be one of .*got 'Badakhshan'"):
        gazetteer.find("Faizabad", region="Badakhshan", provinces=provinces)


def test_points_are_derived_from_ids(provinces) -> None:
    table = pd.DataFrame([good_row(lat="37.8", lon="70.0", gazetteer_id="geonames:1220479"),
                          good_row(id="T-2")])
    placed, problems = gazetteer.place_rows(table, provinces=provinces)
    assert not problems
    assert (placed[s.LAT].tolist(), placed[s.LON].tolist()) == (
        ["37.84137", "37.84137"], ["70.04865", "70.04865"])
    assert table[s.LAT].iloc[0] == "37.8"  # the input is not modified


@pytest.mark.parametrize(("cell", "country", "region", "pattern"), [
    ("geonames:1", "TJ", "TJ-KT", r"is not in GeoNames cities500"),
    ("geonames:1142545", "TJ", "TJ-KT", r"Imām Şāḩib is in AF, but the row says TJ"),
    ("geonames:1221328", "TJ", "TJ-KT", r"Khorugh lies \d+ km from TJ-KT; .* namesake"),
    ("1220479", "TJ", "TJ-KT", r"must be written geonames:<number>"),
])
def test_ids_that_do_not_fit_are_reported(cell, country, region, pattern, provinces) -> None:
    table = pd.DataFrame([good_row(gazetteer_id=cell, country=country, region_code=region)])
    _, problems = gazetteer.place_rows(table, provinces=provinces)
    assert len(problems) == 1 and problems[0].row == 2
    assert pd.Series([problems[0].message]).str.contains(pattern).all(), problems[0].message


def test_command_checks_a_file_and_writes_the_placed_copy(tmp_path, capsys) -> None:
    path = tmp_path / "in.csv"
    pd.DataFrame([good_row(lat="37.8", lon="70.0", gazetteer_id="geonames:1220479")]).to_csv(
        path, index=False)
    assert gazetteer.main([str(path)]) == 1  # the point differs from its id
    assert "1 differ from it: T-1" in capsys.readouterr().out
    out = tmp_path / "out.csv"
    assert gazetteer.main([str(path), "--write", str(out)]) == 0
    assert gazetteer.main([str(out)]) == 0
    assert "every point matches it" in capsys.readouterr().out


def test_validator_checks_the_id_column() -> None:
    report = validate.validate(pd.DataFrame([good_row(gazetteer_id="GN 12"),
                                      good_row(id="T-2", lat="", lon="",
                                               gazetteer_id="geonames:1220479")]))
    assert sorted((p.row, p.field) for p in report.errors) == [(2, "gazetteer_id"),
                                                               (3, "gazetteer_id")]
    old_file = pd.DataFrame([good_row()]).drop(columns=s.GAZETTEER_ID, errors="ignore")
    assert validate.validate(old_file).ok  # files made before the column existed still load
