"""A public server under hostile uploads, in Chromium: while one reader uploads the largest
files of the hostile corpus, another reader's filter change is still answered, and the
uploader is told what happened."""

from __future__ import annotations

import pytest

from benchmarks import hostile

from . import browser as b
from .conftest import FIXTURE_INCIDENTS

pytestmark = pytest.mark.browser

#: The corpus files that keep a server busiest (benchmarks/uploads.py), and what the
#: uploader is shown for each.
HEAVY = {
    "realistic rows, 19.5 MB": "Accepted",
    "unique keys 20 MB": "more than 100,000 rows",
    "1,000,000 bad lines": "more were found and are not listed",
}


def test_a_reader_is_answered_while_another_uploads_hostile_files(chromium, server,
                                                                  tmp_path) -> None:
    import pandas as pd

    rows = pd.read_csv(FIXTURE_INCIDENTS, dtype=str)
    every = int((rows.lat.notna()).sum())
    with b.fresh_page(chromium, server + "/?start=2025-11-26&end=2025-12-01") as reader:
        frame = b.map_frame(reader)
        shown = b.markers(frame)
        assert 0 < shown < every
        for i, (name, outcome) in enumerate(HEAVY.items()):
            filename, data = hostile.CORPUS[name]()
            path = tmp_path / filename
            path.write_bytes(data)
            with b.fresh_page(chromium, server + "/Import") as uploader:
                uploader.locator('input[type="file"]').set_input_files(str(path))
                # the other reader changes the filter while the file is sent and read
                if i % 2 == 0:
                    reader.get_by_role("button", name="All", exact=True).click()
                else:
                    reader.goto(server + "/?start=2025-11-26&end=2025-12-01")
                target = every if i % 2 == 0 else shown
                frame = b.map_frame(reader)
                assert b.wait_for_markers(frame, target) == target, name
                uploader.get_by_text(outcome).first.wait_for(timeout=60_000)
                assert not uploader.locator('[data-testid="stException"]').count()
        assert not reader.locator('[data-testid="stException"]').count()
