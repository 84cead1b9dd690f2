"""The incident table a reader sees: readable labels, casualty figures, a column per source.

Values are labelled in the reader's language (``_``, a ``geo.i18n.Translator``); the
table's columns keep their English names, which the code selects and sorts by, and
:func:`headers` gives what a page shows for each. The data's own text is never translated.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Final

import numpy as np
import pandas as pd

from geo import fields
from geo import provenance as pv
from geo import schema as s
from geo.i18n import N_, Translator
from geo.proximity import BORDER_KM, CROSS_BORDER

SOURCE_COLUMN = "Source {n}"
#: The incident table's columns (their English names are the catalog's keys).
HEADERS: Final = (
    N_("ID"), N_("Dataset"), N_("Date"), N_("Date precision"), N_("Time"), N_("Region"),
    N_("District"), N_("Location"), N_("Type"), N_("Killed"), N_("Injured"), N_("Victims"),
    N_("Blamed (by whom)"), N_("Actors"), N_("Attackers from"), N_("Location precision"),
    N_("To the border (km)"), N_("Cross-border"), N_("Lat"), N_("Lon"), N_("Confidence"),
    N_("Summary"), N_("Notes"), N_("Sources"), N_("Reported by"), N_("Review"),
    N_("Each dataset's figures"), N_("Terms"),
)
#: The column :func:`labelled` adds beside ``Date`` where the reader's calendar is not the
#: Gregorian one (Dari: the solar Hijri date).
OWN_DATE: Final = N_("Date (solar Hijri)")


def headers(columns: list[str], _: Translator) -> dict[str, str]:
    """What a page shows for each of ``columns`` of the incident table."""
    shown = {}
    for name in columns:
        if name.startswith(SOURCE_COLUMN.format(n="")):
            shown[name] = _("Source {n}", n=name.removeprefix(SOURCE_COLUMN.format(n="")))
        else:
            shown[name] = _(name)
    return shown


def _yes_no(value: object, _: Translator) -> str:
    return "" if value is None or pd.isna(value) else (_("yes") if value else _("no"))


def _codes(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].fillna("").astype(str) if column in frame \
        else pd.Series("", index=frame.index, dtype=object)


def incident_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Display table of incidents and the number of ``Source n`` URL columns it has.

    Figures stay as they are recorded: a missing count stays missing (not reported). The
    table keeps ``frame``'s index, so a page can build it once for a whole dataset and
    select a filter's rows from it (:func:`rows_of`). It holds no words of any language:
    vocabulary columns keep their codes until :func:`labelled` names them, for the rows a
    page shows.
    """
    parsed = frame[s.SOURCES].map(s.parse_sources)
    n_sources = int(parsed.map(len).max()) if len(parsed) else 0
    out = pd.DataFrame({
        "ID": frame[s.ID],
        "Date": frame[s.DATE].dt.date,
        "Date precision": frame[s.DATE_PRECISION],
        "Time": frame[s.TIME_LOCAL],
        "Region": frame[s.REGION_CODE],
        "District": frame[s.DISTRICT],
        "Location": frame[s.LOCATION],
        "Type": frame[s.EVENT_TYPE],
        "Killed": frame[s.FATALITIES],
        "Injured": frame[s.INJURED],
        "Victims": frame[s.VICTIMS],
        "Blamed (by whom)": frame[s.PERPETRATOR],
        "Actors": frame.get(s.ACTORS, ""),
        "Attackers from": frame[s.ORIGIN],
        "Location precision": frame[s.GEO_PRECISION],
        "To the border (km)": frame[BORDER_KM].round(1) if BORDER_KM in frame
        else pd.Series(pd.NA, index=frame.index),
        "Cross-border": frame.get(CROSS_BORDER, pd.NA),
        "Lat": frame[s.LAT],
        "Lon": frame[s.LON],
        "Confidence": frame[s.CONFIDENCE],
        "Summary": frame[s.SUMMARY],
        "Notes": frame[s.NOTES],
        "Sources": frame[s.SOURCES],
        # whose records these are: codes and ids, named by labelled()
        "Reported by": _codes(frame, s.PROVIDER),
        "Review": _codes(frame, s.REVIEWED),
        "Each dataset's figures": _codes(frame, s.ALSO_REPORTED),
        "Terms": _codes(frame, s.PROVIDER),
    }, index=frame.index)
    if s.DATASET in frame:
        out.insert(1, "Dataset", frame[s.DATASET].to_numpy())
    for i in range(n_sources):
        out[SOURCE_COLUMN.format(n=i + 1)] = parsed.map(
            lambda ss, i=i: ss[i].url if i < len(ss) else None).to_numpy()
    return out, n_sources


#: How a date's precision is named in the table (the catalogs' "Day", "Week"…).
_PRECISION_WORDS: Final = {"day": N_("Day"), "week": N_("Week"), "month": N_("Month"),
                           "year": N_("Year")}


def labelled(rows: pd.DataFrame, _: Translator) -> pd.DataFrame:
    """``rows`` of :func:`incident_table` with their codes named in the language of ``_``:
    region, type, actors, precisions, cross-border, confidence, dataset, and each source
    as "outlet, date". Meant for the rows a page shows (a thousand), not a whole dataset."""
    out = rows.copy()
    if "Date" in out and _.language.calendar != "gregorian":
        out.insert(int(out.columns.get_loc("Date")) + 1, OWN_DATE,
                   out["Date"].map(lambda d: "" if pd.isna(d) else _.date(d)))

    def named(column: str, name: Callable[[object], str]) -> None:
        if column in out:
            out[column] = out[column].map(lambda v: "" if v is None or v is pd.NA or
                                          (isinstance(v, float) and pd.isna(v)) else name(v))

    named("Region", lambda c: s.region_option(str(c), _))
    named("Type", lambda t: _(s.EVENT_TYPES[str(t)].label))
    named("Actors", lambda cell: fields.actor_labels(str(cell), _))
    named("Date precision", lambda p: _(_PRECISION_WORDS.get(str(p), str(p))))
    named("Location precision", lambda p: f"{p}: {_(s.GEO_PRECISIONS[int(str(p))])}")
    named("Cross-border", lambda v: _yes_no(v, _))
    named("Confidence", lambda c: _(s.CONFIDENCE_LABELS[str(c)]))
    named("Dataset", lambda d: {s.BUNDLED: _("Bundled"), s.YOURS: _("Your data")}.get(
        str(d), str(d)))
    named("Reported by", lambda p: pv.PROVIDERS[pv.provider_of(p)].name(_))
    if "Each dataset's figures" in out:
        out["Reported by"] = [
            "; ".join(dict.fromkeys([str(own), *(pv.PROVIDERS[r.provider].name(_)
                                                   for r in _reports(str(cell)))]))
            for own, cell in zip(out["Reported by"], out["Each dataset's figures"],
                                 strict=True)]
    named("Review", lambda v: _("not yet reviewed by a curator") if v == "no" else "")
    named("Each dataset's figures", lambda cell: "; ".join(
        pv.figure_text(r.provider, r.deaths, r.low, r.high, _) + f" ({r.id})"
        for r in _reports(str(cell))))
    named("Terms", lambda p: _("{dataset}'s terms: {url}",
                               dataset=pv.PROVIDERS[pv.provider_of(p)].name(_),
                               url=pv.PROVIDERS[pv.provider_of(p)].terms_url))
    undated = _("undated")
    named("Sources", lambda cell: "; ".join(f"{x.outlet}, {x.published or undated}"
                                            for x in s.parse_sources(str(cell))))
    return out


def _reports(cell: str) -> list[pv.Report]:
    try:
        return pv.parse_reported(cell)
    except ValueError:
        return []


def rows_of(table: pd.DataFrame, frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The rows of a whole-dataset ``table`` (from :func:`incident_table`) that ``frame``
    holds, without the source columns that none of them fills; and how many remain."""
    rows = table.loc[frame.index]
    sources = [c for c in rows.columns if c.startswith(SOURCE_COLUMN.format(n=""))]
    empty = [c for c in sources if rows[c].isna().all()]
    return rows.drop(columns=empty).reset_index(drop=True), len(sources) - len(empty)


#: Rows the Data page sends to the browser at a time: past a few thousand rows of long text,
#: sending and drawing the table is what a reader waits for (11 s for 100k rows).
PAGE_ROWS = 1_000


def page_of(table: pd.DataFrame, page: int, *, size: int = PAGE_ROWS) -> tuple[pd.DataFrame,
                                                                               int]:
    """Rows of page ``page`` (1-based, clamped to the pages there are) and the page count."""
    if size < 1:
        msg = f"size must be a whole number of rows, 1 or more; got {size!r}"
        raise ValueError(msg)
    pages = max(1, -(-len(table) // size))
    page = min(max(1, int(page)), pages)
    return table.iloc[(page - 1) * size: page * size], pages


def incident_record(row: pd.Series, _: Translator) -> tuple[str, pd.DataFrame,
                                                                      pd.DataFrame]:
    """One incident as a title, a field/value table and a sources table (plain text).

    The labels are in the language of ``_``; the sources table's columns are
    ``Outlet``, ``Published`` and ``Link`` in that language.
    """
    title = f"{_.date(row[s.DATE].date())} — {_(s.EVENT_TYPES[row[s.EVENT_TYPE]].label)}"
    table = pd.DataFrame(fields.rows(row, "record", _), columns=["Field", "Value"])
    sources = pd.DataFrame([(x.outlet, x.published or _("undated"), x.url)
                            for x in s.parse_sources(row[s.SOURCES])],
                           columns=[_("Outlet"), _("Published"), _("Link")])
    return title, table, sources


#: How a record reads in a narrow column or on a phone: each label above its value, long
#: values wrapped (never cut off), every value in its own writing direction.
RECORD_CSS: Final = """
.pbw-record { margin: 0; }
.pbw-record dt { font-size: 0.8rem; font-weight: 600; opacity: 0.7; margin-top: 0.45rem; }
.pbw-record dd { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap;
                 unicode-bidi: plaintext; }
"""


def record_html(fields: pd.DataFrame, _: Translator) -> str:
    """A record's Field/Value table (:func:`incident_record`) as a definition list.

    Every label and value is escaped: data text never becomes markup. ``dir="auto"`` lets
    a Dari or Russian value keep its own direction beside English labels.
    """
    items = "".join(f'<dt>{escape(str(label))}</dt><dd dir="auto">{escape(str(value))}</dd>'
                    for label, value in fields.itertuples(index=False, name=None))
    return (f'<style>{RECORD_CSS}</style><dl class="pbw-record" lang="{_.language.tag}" '
            f'dir="{_.dir}">{items}</dl>')


#: At most this many incidents in the "in view" list; the Data page lists every one.
IN_VIEW_MAX: Final = 200


def in_bounds(frame: pd.DataFrame, bounds: tuple[float, float, float, float] | None, *,
              limit: int | None = None) -> tuple[pd.DataFrame, int]:
    """The located incidents of ``frame`` inside ``bounds`` (south, west, north, east, in
    degrees, as the map reports its view; all located ones when None), newest first, and
    how many there are. With ``limit``, only that many rows are returned (and copied: at
    100k incidents a copy of every row in view cost a viewer about 200 MB)."""
    lat, lon = frame[s.LAT].to_numpy(float), frame[s.LON].to_numpy(float)
    inside = ~np.isnan(lat)
    if bounds is not None:
        south, west, north, east = bounds
        inside &= (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)
    where = np.flatnonzero(inside)
    days = frame[s.DATE].to_numpy()[where]
    ids = frame[s.ID].to_numpy()[where].astype(str)
    order = np.lexsort((ids, -days.astype("datetime64[D]").astype(np.int64)))
    chosen = where[order if limit is None else order[:limit]]
    return frame.iloc[chosen], len(where)


def in_view_html(rows: pd.DataFrame, total: int, link_for: Callable[[str], str],
                 _: Translator) -> str:
    """``rows`` (from :func:`in_bounds`) as an ordered list a screen reader or a keyboard
    can follow: date, type, place, figures, and a link that opens each record; then how
    many of the ``total`` in view are not listed.

    Every text and link is escaped; ``link_for`` gives the address that opens an id.
    """
    items = []
    for _i, row in rows.iterrows():
        place = ", ".join(p for p in (s.cell_text(row[s.LOCATION]), s.cell_text(row[s.DISTRICT]),
                                      s.region_label(row[s.REGION_CODE], _)) if p)
        killed = _("not reported") if pd.isna(row[s.FATALITIES]) else \
            _.num(int(row[s.FATALITIES]))
        injured = _("not reported") if pd.isna(row[s.INJURED]) else _.num(int(row[s.INJURED]))
        text = (f"{row[s.DATE]:%Y-%m-%d} · {_(s.EVENT_TYPES[row[s.EVENT_TYPE]].label)} · "
                f"{place} · " + _("killed {killed}, injured {injured}", killed=killed,
                                  injured=injured))
        items.append(f'<li dir="auto">{escape(text)} · <a href="{escape(link_for(row[s.ID]))}" '
                     f'target="_self">{escape(str(row[s.ID]))}</a></li>')
    more = total - len(rows)
    tail = ("<p>" + escape(_("{n} more in view: zoom in or narrow the filter, or see them all "
                             "on the Data page.", n=_.num(more))) + "</p>" if more > 0 else "")
    return f'<ol class="pbw-in-view" dir="{_.dir}">{"".join(items)}</ol>{tail}'
