"""The dashboard view and its URL form: parsing query parameters safely and writing them back.

A shared link carries the whole view::

    ?start=2025-11-01&end=2025-12-31&region=TJ-KT,TJ-GB&type=cross_border_attack
     &actor=taliban,tajik_forces&within=10&lat=37.9&lon=70.4&zoom=8&basemap=terrain&incident=PBW-0024
     &lang=fa

Anything invalid or unknown falls back to its default, with a :class:`Notice` naming the
parameter, the value and what is allowed; parsing never raises on user input.

Just over 400 lines, on purpose: the link's whole grammar (the view's parameters, the
Compare page's periods, playback's settings, reading and writing) is kept in one module.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field, fields, replace
from datetime import date
from typing import Final
from urllib.parse import quote, urlsplit, urlunsplit

from geo import provenance as pv
from geo import schema as s
from geo.basemaps import BASEMAPS, DEFAULT_BASEMAP
from geo.filters import IncidentFilter
from geo.i18n import DEFAULT_LANG, ENGLISH, LANGUAGES, N_, Translator
from geo.playback import SPEEDS, STEPS, WINDOWS
from geo.text import markdown_safe

#: Distances (km) offered for "within X km of the border".
WITHIN_CHOICES: Final = (1, 2, 5, 10, 20, 50)
MAX_PARAM_CHARS: Final = 400
MIN_ZOOM: Final = 3
MAX_ZOOM: Final = 18


@dataclass(frozen=True)
class ViewState:
    """Everything a shared link must reproduce; each field is one link parameter
    (:data:`PARAM_OF`). "Any distance" is ``within_km=None``, as the link leaves it out."""

    start: date
    end: date
    _kw: KW_ONLY  # a new field goes where it belongs without shifting anyone's call
    regions: tuple[str, ...] = field(default=())
    types: tuple[str, ...] = field(default=())
    basemap: str = DEFAULT_BASEMAP
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    within_km: int | None = None
    incident: str | None = None  # the incident whose full record is open
    actors: tuple[str, ...] = field(default=())
    sources: tuple[str, ...] = field(default=())  # datasets (geo.provenance); empty = all
    lang: str = DEFAULT_LANG  # the interface language (``geo.i18n.LANGUAGES``)

    @property
    def filter(self) -> IncidentFilter:
        return IncidentFilter(self.start, self.end, self.regions, self.types,
                              None if self.within_km is None else float(self.within_km),
                              self.actors, self.sources)

    @property
    def has_map_view(self) -> bool:
        return self.lat is not None and self.lon is not None and self.zoom is not None

    def with_map_view(self, lat: float, lon: float, zoom: int) -> ViewState:
        """A copy centred on ``lat``/``lon`` at ``zoom`` (rounded for readable links)."""
        return replace(self, lat=round(lat, 4), lon=round(lon, 4), zoom=int(zoom))

    def describe(self, _: Translator) -> list[str]:
        """The filter in words, one line per part, for exports and captions."""
        every = _("all")
        lines = [_("Dates: {start} to {end}", start=_.date(self.start), end=_.date(self.end)),
                 _("Regions: {regions}", regions=", ".join(
                     s.region_option(r, _) for r in self.regions) if self.regions else every),
                 _("Event types: {types}", types=", ".join(
                     _(s.EVENT_TYPES[t].label) for t in self.types) if self.types else every)]
        if self.actors:
            lines.append(_("Actors: {actors}", actors=", ".join(
                _(s.ACTOR_GROUPS[a].label) for a in self.actors)))
        if self.sources:
            lines.append(_("Datasets: {sources}", sources=", ".join(
                pv.PROVIDERS[p].name(_) for p in self.sources)))
        if self.within_km:
            lines.append(_("Within {km} km of the border", km=_.num(self.within_km)))
        return lines


#: Each field of :class:`ViewState` and the link parameter that carries it: the one list of
#: a link's view parameters (a field without one fails at import).
PARAM_OF: Final = {"start": "start", "end": "end", "regions": "region", "types": "type",
                   "basemap": "basemap", "lat": "lat", "lon": "lon", "zoom": "zoom",
                   "within_km": "within", "incident": "incident", "actors": "actor",
                   "sources": "source", "lang": "lang"}
PARAMS: Final = tuple(PARAM_OF[f.name] for f in fields(ViewState))


@dataclass(frozen=True)
class Notice:
    """A URL parameter that was not used as given, and why.

    ``message`` is the reason in English; ``template`` and ``fields`` (marked for the
    catalogs) are what it was made from, so :meth:`text` can say it in any language.
    """

    param: str
    value: str
    message: str
    template: str = ""
    fields: tuple[tuple[str, str], ...] = ()

    def text(self, _: Translator, *, markdown: bool = False) -> str:
        """The notice in the language of ``_``; with ``markdown``, every value from the link
        escaped for ``st.warning`` (no link, image or markup can be slipped in)."""
        safe = markdown_safe if markdown else str  # the fields may quote the link too
        # each value from the link keeps its own direction in right-to-left text
        shown = _.isolate(safe(self.value if len(self.value) <= 60 else self.value[:57] + "..."))
        fields = {k: _.isolate(safe(v)) for k, v in self.fields}
        reason = _(self.template, **fields) if self.template else safe(self.message)
        return _("Link parameter `{param}` = “{value}”: {message}", param=self.param,
                 value=shown, message=reason)

    def __str__(self) -> str:
        return self.text(ENGLISH)


def _notice(param: str, value: str, template: str, **fields: object) -> Notice:
    filled = {k: str(v) for k, v in fields.items()}
    return Notice(param, value, template.format(**filled), template, tuple(filled.items()))


def _first(params: Mapping[str, str | Sequence[str]], key: str) -> str | None:
    """One value per key: repeated keys (``?region=A&region=B``) are joined with commas."""
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    return ",".join(str(v).strip() for v in value)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _parse_codes(text: str, allowed: Sequence[str], *, upper: bool) -> tuple[
        tuple[str, ...], list[str]]:
    items = [p.strip() for p in text.split(",") if p.strip()]
    if upper:
        items = [p.upper() for p in items]
    good = tuple(a for a in allowed if a in items)  # canonical order, no duplicates
    bad = [p for p in items if p not in allowed]
    return good, bad


def _codes_param(raw: Mapping[str, str | None], key: str, allowed: list[str], what: str,
                 notices: list[Notice], *, upper: bool) -> tuple[str, ...]:
    """A comma-separated list of codes; unknown ones are dropped with a notice (``what``,
    with ``{bad}`` and ``{allowed}``)."""
    text = raw[key]
    if not text:
        return ()
    good, bad = _parse_codes(text, allowed, upper=upper)
    if bad:
        notices.append(_notice(key, text, what, bad=", ".join(bad),
                               allowed=", ".join(allowed)))
    return good


def parse_query(
    params: Mapping[str, str | Sequence[str]],
    *,
    default_start: date,
    default_end: date,
    today: date | None = None,
) -> tuple[ViewState, list[Notice]]:
    """Turn URL query parameters into a view, falling back to defaults with notices.

    Parameters
    ----------
    params
        Query parameters; a value may be a string or a list of strings.
    default_start, default_end
        The date range used where the link gives none or an unusable one.
    today
        The latest date a link may ask for; defaults to the current date.

    Returns
    -------
    (ViewState, list of Notice)
    """
    today = today or s.service_today()
    notices: list[Notice] = []
    raw = {k: _first(params, k) for k in PARAMS}
    for key, value in list(raw.items()):
        if value is not None and len(value) > MAX_PARAM_CHARS:
            notices.append(_notice(key, value, N_("is longer than {max} characters; ignored"),
                                   max=MAX_PARAM_CHARS))
            raw[key] = None

    dates: dict[str, date] = {"start": default_start, "end": default_end}
    for key in ("start", "end"):
        text = raw[key]
        if not text:
            continue
        parsed = _parse_date(text)
        if parsed is None:
            notices.append(_notice(key, text, N_("must be a date like 2025-11-26; using "
                                                 "{default}"), default=dates[key].isoformat()))
        elif not (s.MIN_DATE <= parsed <= today):
            notices.append(_notice(key, text, N_("must lie between {min} and today ({today}); "
                                                 "using {default}"),
                                   min=s.MIN_DATE.isoformat(), today=today.isoformat(),
                                   default=dates[key].isoformat()))
        else:
            dates[key] = parsed
    if dates["start"] > dates["end"]:
        notices.append(_notice("start", raw["start"] or dates["start"].isoformat(),
                               N_("is after end ({end}); showing the full range {first} to "
                                  "{last}"), end=dates["end"].isoformat(),
                               first=default_start.isoformat(), last=default_end.isoformat()))
        dates = {"start": default_start, "end": default_end}

    regions = _codes_param(raw, "region", list(s.REGIONS),
                           N_("unknown region code(s) {bad} ignored; allowed: {allowed}"),
                           notices, upper=True)
    types = _codes_param(raw, "type", list(s.EVENT_TYPES),
                         N_("unknown event type(s) {bad} ignored; allowed: {allowed}"),
                         notices, upper=False)
    actors = _codes_param(raw, "actor", list(s.ACTOR_GROUPS),
                          N_("unknown actor group(s) {bad} ignored; allowed: {allowed}"),
                          notices, upper=False)
    sources = _codes_param(raw, "source", list(pv.PROVIDERS),
                           N_("unknown dataset(s) {bad} ignored; allowed: {allowed}"),
                           notices, upper=False)
    basemap = _one_of(raw, "basemap", list(BASEMAPS), DEFAULT_BASEMAP, notices)
    within = _one_of(raw, "within", [str(k) for k in WITHIN_CHOICES], None, notices,
                     N_("allowed: {allowed} (km); showing every distance"))
    incident: str | None = None
    if raw["incident"]:
        if s.is_valid_id(raw["incident"]):
            incident = raw["incident"]
        else:
            notices.append(_notice("incident", raw["incident"], N_(
                "is not an incident id like PBW-0024; no incident is opened")))
    lang, lang_notices = parse_lang({"lang": raw["lang"] or ""})
    notices += lang_notices
    lat, lon, zoom = _parse_map_view(raw, notices)
    view = ViewState(dates["start"], dates["end"], regions=regions, types=types,
                     basemap=basemap or DEFAULT_BASEMAP, lat=lat, lon=lon, zoom=zoom,
                     within_km=int(within) if within else None, incident=incident,
                     actors=actors, sources=sources, lang=lang)
    return view, notices


def _one_of(raw: Mapping[str, str | None], key: str, allowed: Sequence[str],
            default: str | None, notices: list[Notice],
            template: str = N_("allowed: {allowed}; using {default}")) -> str | None:
    """``raw[key]`` if it is one of ``allowed``; else ``default``, with a notice."""
    text = raw.get(key)
    if not text:
        return default
    if text in allowed:
        return text
    notices.append(_notice(key, text, template, allowed=", ".join(allowed),
                           default=default or ""))
    return default


def parse_lang(params: Mapping[str, str | Sequence[str]]) -> tuple[str, list[Notice]]:
    """The interface language a link asks for (``?lang=``, any case), or the default with a
    notice; the one reading of ``lang``, for the pages before their data is loaded too."""
    text = _first(params, "lang")
    if not text:
        return DEFAULT_LANG, []
    if text.lower() in LANGUAGES:
        return text.lower(), []
    return DEFAULT_LANG, [_notice("lang", text, N_("allowed: {allowed}; using {default}"),
                                  allowed=", ".join(LANGUAGES), default=DEFAULT_LANG)]


def _parse_map_view(raw: Mapping[str, str | None], notices: list[Notice]) -> tuple[
        float | None, float | None, int | None]:
    given = {k: raw[k] for k in ("lat", "lon", "zoom") if raw[k]}
    if not given:
        return None, None, None
    limits = {"lat": (-90.0, 90.0), "lon": (-180.0, 180.0)}
    values: dict[str, float] = {}
    for key, text in given.items():
        assert text is not None
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if key == "zoom":
            ok = math.isfinite(number) and number.is_integer() and MIN_ZOOM <= number <= MAX_ZOOM
            lo, hi = float(MIN_ZOOM), float(MAX_ZOOM)
            rule = N_("must be a whole number from {lo} to {hi}; the map opens on the whole "
                      "border instead")
        else:
            lo, hi = limits[key]
            ok = math.isfinite(number) and lo <= number <= hi
            rule = N_("must be a number from {lo} to {hi}; the map opens on the whole border "
                      "instead")
        if ok:
            values[key] = number
        else:
            notices.append(_notice(key, text, rule, lo=f"{lo:g}", hi=f"{hi:g}"))
    if set(values) != {"lat", "lon", "zoom"}:
        missing = sorted({"lat", "lon", "zoom"} - set(given))
        if missing and len(values) == len(given):
            notices.append(_notice(missing[0], "", N_("lat, lon and zoom go together; the map "
                                                      "opens on the whole border instead")))
        return None, None, None
    return round(values["lat"], 4), round(values["lon"], 4), int(values["zoom"])


def to_query(view: ViewState) -> dict[str, str]:
    """The URL query parameters for ``view``, in a fixed, readable order."""
    out = {"start": view.start.isoformat(), "end": view.end.isoformat()}
    if view.regions:
        out["region"] = ",".join(view.regions)
    if view.types:
        out["type"] = ",".join(view.types)
    if view.actors:
        out["actor"] = ",".join(view.actors)
    if view.sources:
        out["source"] = ",".join(view.sources)
    if view.within_km is not None:
        out["within"] = str(view.within_km)
    if view.has_map_view:
        out["lat"] = f"{view.lat:g}"
        out["lon"] = f"{view.lon:g}"
        out["zoom"] = str(view.zoom)
    if view.basemap != DEFAULT_BASEMAP:
        out["basemap"] = view.basemap
    if view.incident:
        out["incident"] = view.incident
    if view.lang != DEFAULT_LANG:
        out["lang"] = view.lang
    return out


def link_base(page_url: str, base_path: str = "") -> str:
    """The address a link's ``?query`` goes after: the page's URL, with a trailing slash
    when it is the app's root under a path prefix (``https://host/panj`` → ``…/panj/``).

    Behind a reverse proxy the prefix usually ends in a slash (``location /panj/``), so
    ``…/panj?start=…`` would miss it; Streamlit reports the root page without one.
    """
    parts = urlsplit(page_url)
    prefix = "/" + base_path.strip("/") if base_path.strip("/") else ""
    if parts.path in ("", prefix):
        parts = parts._replace(path=prefix + "/")
    return urlunsplit(parts._replace(query="", fragment=""))


def query_string(view: ViewState, extra: Mapping[str, str] | None = None, *,
                 only: Sequence[str] = ()) -> str:
    """``to_query`` (plus a page's own ``extra`` parameters; with ``only``, just those
    parameters) as a query string, with commas left readable."""
    items = {**to_query(view), **(extra or {})}
    return "&".join(f"{k}={quote(v, safe=',-.:')}" for k, v in items.items()
                    if not only or k in only)


def incident_query(view: ViewState) -> str:
    """The query of a link to ``view``'s open incident alone, in the reader's language:
    what the record offers to share, whatever the filter."""
    return query_string(view, only=("incident", "lang"))


#: The periods a link may carry besides the view's (the Compare page's A and B).
PERIOD_PREFIXES: Final = ("a", "b")


def parse_period(
    params: Mapping[str, str | Sequence[str]],
    prefix: str,
    *,
    default: tuple[date, date],
    today: date | None = None,
) -> tuple[tuple[date, date], list[Notice]]:
    """A second date range in a link (``{prefix}_start``/``{prefix}_end``), e.g. for the
    period comparison; anything unusable falls back to ``default`` with a notice."""
    if prefix not in PERIOD_PREFIXES:
        msg = f"prefix must be one of {', '.join(PERIOD_PREFIXES)}; got {prefix!r}"
        raise ValueError(msg)
    today = today or s.service_today()
    notices: list[Notice] = []
    got = list(default)
    for i, part in enumerate(("start", "end")):
        key = f"{prefix}_{part}"
        text = _first(params, key)
        if not text:
            continue
        parsed = _parse_date(text[:MAX_PARAM_CHARS])
        if parsed is None or not (s.MIN_DATE <= parsed <= today):
            notices.append(_notice(key, text, N_("must be a date like 2025-11-26 between "
                                                 "{min} and today; using {default}"),
                                   min=s.MIN_DATE.isoformat(), default=default[i].isoformat()))
        else:
            got[i] = parsed
    if got[0] > got[1]:
        notices.append(_notice(f"{prefix}_start", got[0].isoformat(),
                               N_("is after {other} ({end}); using {first} to {last}"),
                               other=f"{prefix}_end", end=got[1].isoformat(),
                               first=default[0].isoformat(), last=default[1].isoformat()))
        got = list(default)
    return (got[0], got[1]), notices


#: Playback link parameters and their defaults (the first of ``playback.STEPS``/``WINDOWS``
#: would do, but the defaults are chosen, not positional).
PLAYBACK_DEFAULTS: Final = {"step": "week", "window": "cumulative", "speed": "normal"}


def parse_playback(params: Mapping[str, str | Sequence[str]]) -> tuple[
        dict[str, str], list[Notice]]:
    """The playback settings in a link (``step``, ``window``, ``speed``); unknown values
    fall back to their defaults with a notice."""
    allowed = {"step": list(STEPS), "window": list(WINDOWS), "speed": list(SPEEDS)}
    got = dict(PLAYBACK_DEFAULTS)
    notices: list[Notice] = []
    raw = {key: _first(params, key) for key in allowed}
    for key, options in allowed.items():
        got[key] = _one_of(raw, key, options, PLAYBACK_DEFAULTS[key], notices) or got[key]
    return got, notices


def playback_query(settings: Mapping[str, str]) -> dict[str, str]:
    """The playback settings that differ from their defaults, as link parameters."""
    return {k: v for k, v in settings.items() if PLAYBACK_DEFAULTS.get(k) != v}
