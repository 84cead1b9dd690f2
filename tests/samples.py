"""ACLED- and UCDP-format tables made from the frozen test incidents (real, sourced events), so the
import tests never rest on invented incidents. ``python -m tests.samples`` writes them to
tests/data/ for trying the Import page by hand."""

from __future__ import annotations

import pandas as pd

from geo import schema as s

from .conftest import ROOT, fixture_frame

ACLED_TYPE = {"armed_clash": "Battles", "incursion": "Battles",
              "cross_border_attack": "Violence against civilians",
              "remote_violence": "Explosions/Remote violence",
              "violence_against_civilians": "Violence against civilians",
              "resource_clash": "Riots", "troop_flight": "Strategic developments"}


def located() -> pd.DataFrame:
    frame = fixture_frame()
    return frame[frame[s.LAT].notna()].reset_index(drop=True)


def acled_table(long_dates: bool = False) -> pd.DataFrame:
    f = located()
    return pd.DataFrame({
        "event_id_cnty": "ACL" + f[s.ID].str[4:],
        "event_date": f[s.DATE].dt.strftime("%d %B %Y" if long_dates else "%Y-%m-%d"),
        "year": f[s.DATE].dt.year.astype(str),
        "time_precision": "1",
        "disorder_type": "Political violence",
        "event_type": f[s.EVENT_TYPE].map(ACLED_TYPE),
        "sub_event_type": "Armed clash",
        "actor1": f[s.PERPETRATOR].str.slice(0, 60), "actor2": "",
        "iso": f[s.COUNTRY].map({"TJ": "762", "AF": "4"}),
        "country": f[s.COUNTRY].map({"TJ": "Tajikistan", "AF": "Afghanistan"}),
        "admin1": f[s.REGION_CODE].map(lambda c: s.REGIONS[c].name), "admin2": f[s.DISTRICT],
        "location": f[s.LOCATION], "latitude": f[s.LAT].map("{:.5f}".format),
        "longitude": f[s.LON].map("{:.5f}".format), "geo_precision": f[s.GEO_PRECISION].astype(str),
        "source": "Asia-Plus; Radio Ozodi", "notes": f[s.SUMMARY],
        "fatalities": f[s.FATALITIES].fillna(0).astype(int).astype(str),
    })


def ucdp_table() -> pd.DataFrame:
    f = located()
    best = f[s.FATALITIES].fillna(0).astype(int)
    return pd.DataFrame({
        "id": f[s.ID].str[4:].astype(int).astype(str),
        "year": f[s.DATE].dt.year.astype(str), "type_of_violence": "1",
        "side_a": "Government of Tajikistan", "side_b": "Unnamed armed group",
        "source_article": "Asia-Plus,2025-12-25", "source_office": "Asia-Plus",
        "source_headline": f[s.SUMMARY].str.slice(0, 80),
        "where_prec": f[s.GEO_PRECISION].map({1: "1", 2: "3"}),
        "where_description": f[s.LOCATION], "adm_1": "", "adm_2": f[s.DISTRICT],
        "latitude": f[s.LAT].astype(str), "longitude": f[s.LON].astype(str),
        "country": f[s.COUNTRY].map({"TJ": "Tajikistan", "AF": "Afghanistan"}),
        "country_id": f[s.COUNTRY].map({"TJ": "702", "AF": "700"}),
        "date_prec": "1", "date_start": f[s.DATE].dt.strftime("%Y-%m-%d 00:00:00.000"),
        "date_end": f[s.DATE].dt.strftime("%Y-%m-%d 00:00:00.000"),
        "best": best.astype(str), "low": best.astype(str), "high": (best + 2).astype(str),
    })


if __name__ == "__main__":
    out = ROOT / "tests" / "data"
    acled_table(long_dates=True).to_csv(out / "acled_border_sample.csv", index=False)
    ucdp_table().to_csv(out / "ucdp_ged_border_sample.csv", index=False)
    print("wrote", out / "acled_border_sample.csv", out / "ucdp_ged_border_sample.csv")
