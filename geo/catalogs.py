"""The catalogs' tooling (``make messages``, ``python -m geo.catalogs``): extract the marked
interface text, bring each language's ``.po`` up to it, and list what a catalog lacks.

The app never imports this module: it only reads the catalogs (``geo.i18n``).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Final

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from geo.i18n import DEFAULT_LANG, DOMAIN, LANGUAGES, LOCALE_DIR, catalog_path, placeholders

if TYPE_CHECKING:
    from babel.messages.catalog import Message

#: Where the interface text lives, relative to the project root.
SOURCE_PATHS: Final = ("app.py", "pages", "ui", "geo")
#: The marking functions: ``_("…")``, ``_.ngettext("…", "…", n)`` and ``N_("…")``.
KEYWORDS: Final = {"_": None, "N_": None, "ngettext": (1, 2)}


def extract(root: Path) -> Catalog:
    """Every marked message in the project at ``root``, as a template catalog."""
    template = Catalog(project="Panj Border Watch", fuzzy=False)
    files: list[Path] = []
    for name in SOURCE_PATHS:
        path = root / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else
                     [path] if path.exists() else [])
    for path in files:
        for lineno, message, comments, context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
                strip_comment_tags=True):
            template.add(message, None, [(path.relative_to(root).as_posix(), lineno)],
                         auto_comments=comments, context=context)
    return template


def update(root: Path) -> None:
    """Write ``messages.pot`` and bring every language's ``.po`` up to it; new messages are
    left untranslated (:func:`problems` and the catalog test list them). A file whose
    messages did not change is left as it is (no new header date to commit)."""
    template = extract(root)
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    _write_if_changed(LOCALE_DIR / f"{DOMAIN}.pot", template)
    for code, language in LANGUAGES.items():
        if code == DEFAULT_LANG:
            continue
        path = catalog_path(code)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=language.locale)
        else:
            catalog = Catalog(locale=language.locale, project="Panj Border Watch")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_if_changed(path, catalog)


_DATE_LINE: Final = re.compile(rb'^"(?:POT-Creation|PO-Revision)-Date: .*\n', re.M)


def _write_if_changed(path: Path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    # file names without line numbers: a catalog changes when its messages do, not when
    # the code around them moves
    write_po(buffer, catalog, width=100, sort_output=True, include_previous=False,
             include_lineno=False)
    new = buffer.getvalue()
    if path.exists() and _DATE_LINE.sub(b"", path.read_bytes()) == _DATE_LINE.sub(b"", new):
        return
    path.write_bytes(new)


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return not message.fuzzy and all(strings)


def problems(template: Catalog, lang: str, path: Path | None = None) -> list[str]:
    """What the catalog of ``lang`` (at ``path``, by default its own) lacks against
    ``template`` (from :func:`extract`): each message missing, untranslated, fuzzy, short of
    plural forms, or with other ``{placeholders}`` than its English; and each translation no
    code uses any more."""
    with (path or catalog_path(lang)).open("rb") as fh:
        catalog = read_po(fh, locale=LANGUAGES[lang].locale)
    found = []
    for message in template:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        english = message.id[-1] if isinstance(message.id, (list, tuple)) else message.id
        own = catalog.get(key)
        short = key if len(key) <= 70 else key[:67] + "..."
        if own is None or not _translated(own):
            found.append(f"{lang}: not translated: {short!r}")
            continue
        strings = [str(x) for x in (own.string if isinstance(own.string, (list, tuple))
                                    else [own.string])]
        if isinstance(message.id, (list, tuple)) and len(strings) != catalog.num_plurals:
            found.append(f"{lang}: {len(strings)} plural forms, {catalog.num_plurals} needed: "
                         f"{short!r}")
        for text in strings:
            if placeholders(text) != placeholders(english):
                found.append(f"{lang}: placeholders {sorted(placeholders(text))} instead of "
                             f"{sorted(placeholders(english))}: {short!r}")
    used = {m.id[0] if isinstance(m.id, (list, tuple)) else m.id for m in template if m.id}
    found.extend(f"{lang}: translated but no longer used: {m.id!r}" for m in catalog
                 if m.id and (m.id[0] if isinstance(m.id, (list, tuple)) else m.id) not in used)
    return found


if __name__ == "__main__":
    root = Path.cwd()
    update(root)
    template = extract(root)
    for code in LANGUAGES:
        if code != DEFAULT_LANG:
            left = problems(template, code)
            print(f"{code}: {len(left)} to do in {catalog_path(code)}")
            for line in left:
                print("  " + line)
