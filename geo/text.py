r"""Untrusted text (link values, file names, file contents) made safe for Streamlit's Markdown.

Streamlit renders ``st.warning``, ``st.error``, ``st.caption`` and ``st.markdown`` as
Markdown, with its own extensions (``:red[…]`` colours, ``:material/…:`` icons). A value
from a link or an uploaded file that reached such a call unescaped could put a link, an
image (a request to any server) or markup inside the app's own notice. :func:`markdown_safe`
backslash-escapes every ASCII punctuation character that Markdown or those extensions
read, which CommonMark defines as showing the character itself, and folds line breaks.

Escapes alone do not stop GitHub-flavoured autolinks: Streamlit's renderer finds
``http://…``, ``www.…`` and ``name@host.org`` in the text *after* escapes are undone (seen
in Chromium: an escaped ``http\:\/\/example\.org`` still became a link). So an invisible
WORD JOINER (U+2060) also goes after every ``:`` and before every ``.``, which neither of
those patterns can match across. A reader sees the value as it was sent; one who copies it
gets the joiners too, which is the price of a value that can never become a link.
"""

from __future__ import annotations

import re
from typing import Final

#: Every character CommonMark lets a backslash escape that any construct reads: emphasis,
#: code, links and images, autolinks, headings, lists, tables, HTML and entities, maths,
#: and Streamlit's ``:directive[…]`` and ``:shortcode:`` syntax.
_SPECIALS: Final = re.compile(r"""([\\`*_{}\[\]()#+\-.!|<>~$:&=^"'/@%;?])""")
_BREAKS: Final = re.compile(r"[\r\n\u2028\u2029]+")
#: Invisible, and not a character any autolink pattern accepts.
JOINER: Final = "\u2060"


def markdown_safe(text: object) -> str:
    r"""``text`` as Markdown that shows exactly its characters: no link, image or markup.

    >>> markdown_safe("[x](http://example.org)").replace(JOINER, "")
    '\\\\[x\\\\]\\\\(http\\\\:\\\\/\\\\/example\\\\.org\\\\)'
    """
    one_line = _BREAKS.sub(" ", str(text))
    unlinkable = one_line.replace(":", ":" + JOINER).replace(".", JOINER + ".")
    return _SPECIALS.sub(r"\\\1", unlinkable)
