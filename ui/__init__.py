"""The Streamlit edge every page shares; pages ``import ui`` and call what is exported here.

- ``ui.state``: every session key, its default, and the view ⇄ URL sync;
- ``ui.data``: cached layers and incidents, context events, the reader's upload;
- ``ui.upload``: reading a reader's file within the server's budget, and its report;
- ``ui.page``: how every page opens (config, styles in ``page.css``/``rtl.css``, the pages);
- ``ui.sidebar``: the shared filters; ``ui.figures``: the headline figures and their notes;
- ``ui.maps``: the map with the incident record, small maps, the HTML export;
- ``ui.playback``: time playback in the sidebar;
- ``ui.tables``: column settings and the per-region change tables.

This package (and the pages) are the only code that imports streamlit. Each page run also
hands freed memory back where the host could not cap glibc's arenas (``ui.memory``).

``ui.maps`` is imported at its first use, from a page: it declares the map's component
(streamlit-folium), which Streamlit registers only when it is declared during a page run.
The feed and data addresses (``ui.routes``) import ``ui`` outside any page run.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ui.data import (
    Data,
    clear_upload,
    context_events,
    data_warnings,
    incident_table,
    load_data,
    uploaded,
)
from ui.figures import as_of, empty_hint, headline
from ui.page import APP_TITLE, PAGES, start_page, untranslated_note
from ui.playback import playback_controls, playback_tick
from ui.sidebar import set_dates_and_rerun
from ui.state import (
    Key,
    keep_widget,
    seeded,
    set_page_params,
    share_link,
    tr,
    url_params_at_start,
)
from ui.tables import compare_table, link_column, region_change_table, table_column_config
from ui.upload import import_report, import_upload

__all__ = [
    "APP_TITLE",
    "PAGES",
    "Data",
    "Key",
    "as_of",
    "clear_upload",
    "compare_table",
    "context_events",
    "data_warnings",
    "empty_hint",
    "export_figure",
    "export_map",
    "headline",
    "import_report",
    "import_upload",
    "incident_table",
    "keep_widget",
    "link_column",
    "load_data",
    "map_panel",
    "playback_controls",
    "playback_tick",
    "region_change_table",
    "seeded",
    "set_dates_and_rerun",
    "set_page_params",
    "share_link",
    "small_map",
    "start_page",
    "table_column_config",
    "tr",
    "untranslated_note",
    "uploaded",
    "url_params_at_start",
]

#: Names imported from their module when first asked for (see the docstring).
_LATER = {"export_figure": "ui.maps", "export_map": "ui.maps", "map_panel": "ui.maps",
          "small_map": "ui.maps"}

if TYPE_CHECKING:
    from ui.maps import export_figure, export_map, map_panel, small_map


def __getattr__(name: str) -> Any:
    if name in _LATER:
        return getattr(import_module(_LATER[name]), name)
    msg = f"module 'ui' has no attribute {name!r}"
    raise AttributeError(msg)
