"""Text and figures for the About page: the 1:10m layers against official figures, each
dataset's incidents and terms, and the data README's sections."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from geo import merge
from geo import provenance as pv
from geo import schema as s
from geo.i18n import Translator
from geo.incidents import Review
from geo.layers import DATA_DIR
from geo.text import markdown_safe

#: Official figures (km, km²) quoted in data/SOURCES.md.
OFFICIAL_BORDER_KM: Final = (1_344, 1_357)
OFFICIAL_AREA_KM2: Final[dict[str, int]] = {"TJ-GB": 64_200, "TJ-KT": 24_800, "AF-BDS": 44_059}


def comparison_table(provinces: gpd.GeoDataFrame, border: gpd.GeoDataFrame,
                     _: Translator) -> pd.DataFrame:
    """One row per measure: the value in our data, the official figure, the difference."""
    low, high = OFFICIAL_BORDER_KM
    rows = [(_("Border length (km)"), _.num(border["length_km"].iloc[0]),
             _("about {low}–{high}", low=_.num(low), high=_.num(high)),
             _("about 13% shorter: river bends straightened at 1:10m"))]
    for code, official in OFFICIAL_AREA_KM2.items():
        area = float(provinces.set_index("iso_3166_2").loc[code, "area_km2"])
        rows.append((_("{region} · {code} area (km²)", region=s.REGIONS[code].label(_),
                       code=code), _.num(area),
                     _("about {n}", n=_.num(official)), f"{(area - official) / official:+.1%}"))
    return pd.DataFrame(rows, columns=[_("Measure"), _("This dashboard"), _("Official"),
                                       _("Difference")])


def data_readme_section(heading: str, readme: Path = DATA_DIR / "README.md") -> str:
    """The text of one ``## heading`` section of ``data/README.md``, for the About page.

    Raises
    ------
    ValueError
        When the file has no such section.
    """
    text = readme.read_text(encoding="utf-8")
    marker = f"## {heading}\n"
    if marker not in text:
        msg = f"heading {heading!r} is not a section of {readme.name}"
        raise ValueError(msg)
    return text.split(marker, 1)[1].split("\n## ", 1)[0]


def review_line(review: Review | None, _: Translator) -> str:
    """One sentence on how current the data is, for the top of the About page."""
    if review is None:
        return _("This incidents file has no review record (incidents.review.json), so when "
                 "it was last checked is unknown.")
    return _("Data reviewed on {day}.", day=_.date(review.reviewed, "long"))


def coverage_markdown(review: Review | None, _: Translator) -> str:
    """The review record as Markdown: scope, what was searched and checked, known gaps.

    The record's text is escaped (:func:`geo.text.markdown_safe`) and stays in the language
    it was written in; only the headings are ours, in the language of ``_``.
    """
    if review is None:
        return _("No review record: the file's scope, the sources searched and the known "
                 "gaps are not stated. See `data/README.md` for how to write one.")
    # (no _() inside f-strings: Python 3.11's tokenizer hides them from the extractor)
    parts = ["**" + _("In scope.") + "** " + markdown_safe(review.scope),
             "**" + _("Searched.") + "** " + markdown_safe(review.searched),
             "**" + _("Checked on {day}.", day=_.date(review.reviewed)) + "** "
             + markdown_safe(review.checked)]
    if review.gaps:
        parts.append("**" + _("Known to be missing or thin:") + "**\n\n"
                     + "\n".join(f"- {markdown_safe(g)}" for g in review.gaps))
    return "\n\n".join(parts)


def datasets_table(frame: pd.DataFrame, _: Translator) -> pd.DataFrame:
    """One row per dataset: the incidents it reports as the record shown, those where its
    record was merged into another's, and its terms."""
    own = frame[s.PROVIDER].fillna("").replace("", pv.CURATED) if s.PROVIDER in frame \
        else pd.Series(pv.CURATED, index=frame.index)
    also = frame[s.ALSO_REPORTED].fillna("") if s.ALSO_REPORTED in frame \
        else pd.Series("", index=frame.index)
    rows = []
    for code, provider in pv.PROVIDERS.items():
        shown = int((own == code).sum())
        merged = int(also.str.contains(rf"(?:^|;){code}:", regex=True).sum())
        rows.append({_("Dataset"): provider.name(_), _("Incidents shown"): shown,
                     _("Also reported (merged)"): merged,
                     _("Terms"): f"{_(provider.terms)} {provider.terms_url}"})
    return pd.DataFrame(rows)


def match_rule(_: Translator) -> str:
    """The merge rule in the reader's words."""
    return _("An incident that several datasets report is shown once: records from "
             "different datasets are the same incident when their dates are at most "
             "{days} days apart, their points at most {km} km apart, and their types are "
             "compatible. Two of our own rows are never merged. The record shown is ours "
             "where we have one, else UCDP's, else ACLED's; each dataset's own figures "
             "stay side by side in the record.", days=_.num(merge.MATCH_DAYS),
             km=_.num(int(merge.MATCH_KM)))
