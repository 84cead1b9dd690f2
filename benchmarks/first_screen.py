"""``python -m benchmarks.run --first-screen``: how long a reader opening a link waits for the
map, against a bare Streamlit page with one ``st_folium`` map (``benchmarks/bare_map.py``:
the same layers and incidents, Leaflet served locally).

In one run: both servers are started; the first load after each start is timed; then five
warm loads of each, alternating, each in a new browser context (no cache, no cookies,
offline but for this machine). A load is timed from navigation to the first shape Leaflet
draws (a ``path`` in a map pane, looked for every 16 ms in every frame). For each page
it also reports where the time goes: the script runs on load and how long the first took
(from the server's ``new_session`` to its ``script_finished``, as the browser received
them), the time from that ``script_finished`` to the first shape, and the requests, bytes,
scripts and websocket bytes before the first shape, and the Streamlit elements, ``st.html``
blocks and component frames on the page at that moment.

``--first-screen-parts`` (``parts_report``): the bare page again with generic parts beside
its map (a sidebar of filters, five metrics...: ``PANJ_BARE_PARTS`` in ``bare_map.py``), each
variant a server of its own, warm loads alternating, against the plain bare page.

``--data-page`` (``data_page_report``): the Data page, warm, at 1,000 and 100,000 incidents.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests import browser as b
from tests.conftest import ROOT, chromium_path

LOADS = 5
K = TypeVar("K")  #: what a report names its pages by
#: Websocket messages up to this size are kept whole to be read (the run's start and end
#: are small); larger ones are only counted.
_KEPT_BYTES = 8192

#: Runs in every frame before its own scripts: the top window records each websocket
#: message (time, size, and the small ones' bytes); every frame watches for Leaflet's first
#: shape and notes, on the top window, when it appeared and what the page held then.
_WATCH = """
(() => {
  const top = window.top;
  if (window === top) {
    window.__pbw = {ws: [], shape: null, page: null};
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener("message", (e) => {
          const d = e.data;
          const n = d.byteLength ?? d.size ?? d.length;
          const keep = d instanceof ArrayBuffer && n <= KEPT_BYTES;
          window.__pbw.ws.push([Date.now(), n, keep ? Array.from(new Uint8Array(d)) : null]);
        });
      }
    };
  }
  const seen = () => {
    if (!document.querySelector(".leaflet-pane path")) return false;
    if (top.__pbw && top.__pbw.shape === null) {
      const doc = top.document;
      top.__pbw.shape = Date.now();
      top.__pbw.page = {
        elements: doc.querySelectorAll('[data-testid="stElementContainer"]').length,
        html_blocks: doc.querySelectorAll('[data-testid="stHtml"]').length,
        frames: doc.querySelectorAll("iframe").length,
      };
    }
    return true;
  };
  // polled, not observed: the map's frame writes its document anew (document.open), which
  // leaves an observer on the old one; timers belong to the window and carry on
  const timer = setInterval(() => { if (seen()) clearInterval(timer); }, 16);
})();
""".replace("KEPT_BYTES", str(_KEPT_BYTES))

#: In a frame: its navigation and resources, as [end (epoch ms), bytes, name, kind].
_RESOURCES = """() => performance.getEntries()
  .filter(e => e.entryType === "resource" || e.entryType === "navigation")
  .map(e => [performance.timeOrigin + e.responseEnd, e.transferSize || e.encodedBodySize || 0,
             e.name, e.initiatorType || e.entryType])"""


@dataclass
class Load:
    """One page load, navigation to first shape, and where its time went."""

    seconds: float
    runs: int  #: script runs finished before the first shape
    script_s: float | None  #: the first run, new_session to script_finished
    after_script_s: float | None  #: that script_finished to the first shape
    requests: int
    kilobytes: float
    scripts: int
    ws_kilobytes: float
    page: dict[str, int] = field(default_factory=dict)


def _kind(raw: list[int]) -> str | None:
    try:
        return ForwardMsg.FromString(bytes(raw)).WhichOneof("type")
    except Exception:  # a message that is not a ForwardMsg (a ping): not ours to read
        return None


def load(browser: Any, url: str, timeout_ms: int = 90_000) -> Load:
    """Open ``url`` in a new context and measure it (see the module docstring)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        context.add_init_script(_WATCH)
        page = context.new_page()
        b.offline(page)
        page.goto(url)
        page.wait_for_function("() => window.__pbw && window.__pbw.shape !== null",
                               timeout=timeout_ms, polling=100)
        seen = page.evaluate("() => ({origin: performance.timeOrigin, shape: __pbw.shape, "
                             "page: __pbw.page, ws: __pbw.ws})")
        shape = seen["shape"]
        resources = [r for frame in page.frames for r in frame.evaluate(_RESOURCES)
                     if r[0] <= shape]
    finally:
        context.close()
    before = [m for m in seen["ws"] if m[0] <= shape]
    kinds = [(t, _kind(raw)) for t, _n, raw in before if raw is not None]
    starts = [t for t, k in kinds if k == "new_session"]
    ends = [t for t, k in kinds if k == "script_finished"]
    script_s = (ends[0] - starts[0]) / 1000 if starts and ends else None
    after = (shape - ends[0]) / 1000 if ends else None
    return Load(
        seconds=(shape - seen["origin"]) / 1000, runs=len(ends), script_s=script_s,
        after_script_s=after, requests=len(resources),
        kilobytes=sum(r[1] for r in resources) / 1024,
        scripts=sum(1 for r in resources if r[3] == "script" or r[2].split("?")[0]
                    .endswith(".js")),
        ws_kilobytes=sum(n for _t, n, _raw in before) / 1024, page=seen["page"] or {})


@contextmanager
def bare_server(parts: str = "") -> Iterator[str]:
    """``benchmarks/bare_map.py`` served from a folder of its own, as the dashboard is: the
    project's ``.streamlit/config.toml`` and its ``static/`` (Leaflet, from geo.assets);
    ``parts``, comma-separated, are drawn beside its map (``PANJ_BARE_PARTS``)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copy(ROOT / "benchmarks" / "bare_map.py", folder / "bare_map.py")
        shutil.copytree(ROOT / ".streamlit", folder / ".streamlit")
        (folder / "static").symlink_to(ROOT / "static")
        with b.streamlit_server({"PYTHONPATH": str(ROOT), "PANJ_BARE_PARTS": parts},
                                cwd=folder, script="bare_map.py") as url:
            yield url


def _alternating(urls: dict[K, str], measure: Callable[[str], float],
                 loads: int) -> dict[K, list[float]]:
    """``measure`` each of ``urls`` once to warm it, then ``loads`` times each, alternating
    (so that the machine's drift falls on every page alike); the timings by name."""
    for url in urls.values():
        measure(url)
    times: dict[K, list[float]] = {name: [] for name in urls}
    for _i in range(loads):
        for name, url in urls.items():
            times[name].append(measure(url))
    return times


#: The variants ``--first-screen-parts`` compares, the plain bare page first.
PART_SETS = ("", "sidebar", "metrics", "plain-metrics", "figures", "sidebar,metrics",
             "sidebar,figures")


def parts_report(part_sets: tuple[str, ...] = PART_SETS, loads: int = 7,
                 dashboard: bool = True) -> dict[str, float]:
    """What generic parts beside the map cost any ``st_folium`` page: a bare server per
    variant (and the dashboard), warmed by one load, then ``loads`` warm loads of each,
    alternating; each variant's median against the plain bare page's is printed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, ExitStack() as stack:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=b.CHROMIUM_ARGS)
        stack.callback(browser.close)
        urls = {parts or "bare": stack.enter_context(bare_server(parts)) for parts in part_sets}
        if dashboard:
            urls["the dashboard"] = stack.enter_context(b.streamlit_server())
        times = _alternating(urls, lambda url: load(browser, url + "/").seconds, loads)
    medians = {name: statistics.median(t) for name, t in times.items()}
    plain = medians[part_sets[0] or "bare"]
    for name, t in times.items():
        print(f"{name:>20}: median {medians[name]:.2f} s, {medians[name] / plain:.2f}x the "
              "bare page; each load " + " ".join(f"{x:.2f}" for x in t), flush=True)
    return medians


def _row(name: str, loads: list[Load]) -> dict[str, Any]:
    def median(values: list[float | None]) -> float | None:
        known = [v for v in values if v is not None]
        return statistics.median(known) if known else None

    return {"page": name,
            "warm median s": median([x.seconds for x in loads]),
            "each warm load s": " ".join(f"{x.seconds:.2f}" for x in loads),
            "script runs before the map": median([x.runs for x in loads]),
            "first run s (server)": median([x.script_s for x in loads]),
            "script end to first shape s": median([x.after_script_s for x in loads]),
            "requests before the first shape": median([x.requests for x in loads]),
            "KB before the first shape": median([x.kilobytes for x in loads]),
            "scripts before the first shape": median([x.scripts for x in loads]),
            "websocket KB before the first shape": median([x.ws_kilobytes for x in loads]),
            **{f"{k} on the page then": median([x.page.get(k) for x in loads])
               for k in ("elements", "html_blocks", "frames")}}


def report(path: str = "/", loads: int = LOADS) -> list[dict[str, Any]]:
    """Both pages' figures (printed as they come), and the dashboard's against the bare
    page's: warm medians and first loads after a start."""
    import pandas as pd
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=b.CHROMIUM_ARGS)
        try:
            with b.streamlit_server() as dashboard:
                first_dashboard = load(browser, dashboard + path)
                with bare_server() as bare:
                    first_bare = load(browser, bare + "/")
                    warm: dict[str, list[Load]] = {"dashboard": [], "bare st_folium": []}
                    for _i in range(loads):
                        warm["dashboard"].append(load(browser, dashboard + path))
                        warm["bare st_folium"].append(load(browser, bare + "/"))
        finally:
            browser.close()
    rows = [_row(name, measured) for name, measured in warm.items()]
    rows[0]["first load after a start s"] = first_dashboard.seconds
    rows[1]["first load after a start s"] = first_bare.seconds
    print(pd.DataFrame(rows).set_index("page").T.to_string(), flush=True)
    ratio = rows[0]["warm median s"] / rows[1]["warm median s"]
    cold = first_dashboard.seconds / first_bare.seconds
    print(f"\ndashboard / bare st_folium page: {ratio:.2f}x warm (median of {loads}), "
          f"{cold:.2f}x on the first load after a start", flush=True)
    return rows


def data_page_report(sizes: tuple[int, ...] = (1_000, 100_000),
                     loads: int = LOADS) -> dict[int, float]:
    """The Data page, warm, at each of ``sizes`` synthetic incidents (#24: 100,000 within
    1.5× of 1,000): one server each, warmed at start and opened once, then ``loads`` opens
    of each, alternating, until its table shows; medians printed against the first size."""
    from playwright.sync_api import sync_playwright

    from benchmarks import synthetic
    from benchmarks.run import _open

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw, ExitStack() as stack:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=b.CHROMIUM_ARGS)
        stack.callback(browser.close)
        urls = {n: stack.enter_context(b.streamlit_server(
            {"PANJ_INCIDENTS": str(synthetic.write(n, Path(tmp))),
             "PANJ_CACHE_DIR": str(Path(tmp) / f"cache-{n}")}, warm=True)) for n in sizes}
        times = _alternating(urls, lambda url: _open(browser, url, "Data"), loads)
    medians = {n: statistics.median(t) for n, t in times.items()}
    for n, t in times.items():
        print(f"Data page, warm, {n:,} incidents: median {medians[n]:.2f} s "
              f"({medians[n] / medians[sizes[0]]:.2f}x {sizes[0]:,}); each load "
              + " ".join(f"{x:.2f}" for x in t), flush=True)
    return medians
