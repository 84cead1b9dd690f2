/* Helpers prepended to every Panj Border Watch map script (see geo/assets.py map_script).
 * Text reaches the page only through textContent (el) or esc(); links only get http(s) URLs. */
/* exported esc, el, isHttp, link, swatchGrid */

function esc(v) {
    return String(v).replace(/[&<>"'`=\/]/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; });
}

function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== null && text !== undefined) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
}

function isHttp(u) { return typeof u === 'string' && /^https?:\/\/[^\s"'<>`]+$/i.test(u); }

/* A link that opens in a new tab, or plain text when the URL is not http(s). */
function link(text, url) {
    if (!isHttp(url)) { return el('span', text); }
    var a = el('a', text);
    a.href = url; a.target = '_blank'; a.rel = 'noopener noreferrer';
    return a;
}

/* A legend grid: one row per [label, colour] pair, each with a swatch of class cls. */
function swatchGrid(rows, gridCls, swatchCls) {
    var grid = el('div', null, gridCls);
    rows.forEach(function (r) {
        var row = el('div');
        var sw = el('span', null, swatchCls); sw.style.background = r[1];
        row.appendChild(sw); row.appendChild(document.createTextNode(r[0]));
        grid.appendChild(row);
    });
    return grid;
}

/* The line that marks the reader's own uploaded incidents in a popup. */
var YOURS_NOTE = 'Your data: uploaded in this browser session only';
