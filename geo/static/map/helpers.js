/* Helpers prepended to every Panj Border Watch map script (see geo/assets.py map_script).
 * Text reaches the page only through textContent (el) or esc(); links only get http(s) URLs. */
/* global T */
/* exported esc, el, isHttp, link, swatchGrid, shapeSvg, speak, YOURS_NOTE */

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

/* A legend grid: one row per [label, colour, shape] entry, each with a swatch of class cls,
 * or the type's marker shape when the entry gives one. */
function swatchGrid(rows, gridCls, swatchCls) {
    var grid = el('div', null, gridCls);
    rows.forEach(function (r) {
        var row = el('div');
        var sw;
        if (r.length > 2) {
            sw = shapeSvg(r[2], 14, r[1], { stroke: '#1a1a1a', width: 1 });
            sw.setAttribute('class', 'pbw-shape-swatch');
        } else {
            sw = el('span', null, swatchCls); sw.style.background = r[1];
        }
        row.appendChild(sw); row.appendChild(document.createTextNode(r[0]));
        grid.appendChild(row);
    });
    return grid;
}

/* Marker shapes in a 20x20 box, one per event type in vocabulary order: the same order
 * as geo.figure.SHAPES (o s ^ D v P X * h), so the map and the printed figure agree and
 * the types differ by more than colour. */
var SHAPES = [
    'M2,10a8,8 0 1,0 16,0a8,8 0 1,0 -16,0z',
    'M3,3h14v14h-14z',
    'M10,1.5L18.5,17.5H1.5z',
    'M10,1L19,10L10,19L1,10z',
    'M1.5,2.5H18.5L10,18.5z',
    'M7,2h6v5h5v6h-5v5h-6v-5h-5v-6h5z',
    'M4.3,2.2L10,7.9L15.7,2.2L17.8,4.3L12.1,10L17.8,15.7L15.7,17.8L10,12.1L4.3,17.8L2.2,' +
        '15.7L7.9,10L2.2,4.3z',
    'M10,1L12.2,6.9L18.6,7.2L13.6,11.2L15.3,17.3L10,13.8L4.7,17.3L6.4,11.2L1.4,7.2L7.8,6.9z',
    'M10,1.2L17.6,5.6L17.6,14.4L10,18.8L2.4,14.4L2.4,5.6z'
];

/* An SVG element of shape number i, size px wide, filled with fill; o: stroke, width (px),
 * dash, cls (class of the path). Built as DOM nodes: no text is parsed as markup. */
function shapeSvg(i, size, fill, o) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', size); svg.setAttribute('height', size);
    svg.setAttribute('viewBox', '0 0 20 20'); svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('d', SHAPES[i % SHAPES.length]);
    path.setAttribute('fill', fill); path.setAttribute('fill-opacity', '0.9');
    path.setAttribute('stroke', o.stroke); path.setAttribute('stroke-width', o.width);
    path.setAttribute('vector-effect', 'non-scaling-stroke');
    if (o.dash) { path.setAttribute('stroke-dasharray', o.dash); }
    if (o.cls) { path.setAttribute('class', o.cls); }
    svg.appendChild(path);
    return svg;
}

/* The line that marks the reader's own uploaded incidents in a popup. */
var YOURS_NOTE = T.yours;

/* Mark a box of our text with the reader's language and direction (Dari: right to left);
 * the map itself keeps its left-to-right layout. */
function speak(node) {
    node.setAttribute('lang', T.lang);
    node.dir = T.dir;
    return node;
}
