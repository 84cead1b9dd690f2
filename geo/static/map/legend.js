/* The legend (folded on narrow maps) and the boundary attribution.
 * data: {types: [[label, colour]], shades: [[label, colour]], borderColor, attribution};
 * T: the labels in the reader's language (geo.maptext). */
/* global L, parent, data, T, el, esc, swatchGrid, speak */

var legend = L.control({ position: 'topright' });
legend.onAdd = function () {
    var box = speak(L.DomUtil.create('div', 'pbw-legend'));
    L.DomEvent.disableClickPropagation(box);
    // open where it leaves most of the map visible; one click opens it elsewhere
    var det = el('details');
    det.open = !L.Browser.mobile && parent.getSize().x >= 900;
    det.appendChild(el('summary', T.legend));
    det.appendChild(el('div', T.eventType, 'pbw-legend-h'));
    det.appendChild(swatchGrid(data.types, 'pbw-grid', 'pbw-swatch pbw-dot'));
    det.appendChild(el('div', T.markerSize, 'pbw-legend-note'));
    det.appendChild(el('div', T.shapeNote, 'pbw-legend-note'));
    det.appendChild(el('div', T.outlineNote, 'pbw-legend-note'));
    det.appendChild(el('div', T.perProvince, 'pbw-legend-h'));
    det.appendChild(swatchGrid(data.shades, 'pbw-grid pbw-grid3', 'pbw-swatch'));
    var line = el('div');
    var sw = el('span', null, 'pbw-swatch pbw-line');
    sw.style.borderTopColor = data.borderColor;
    line.appendChild(sw);
    line.appendChild(document.createTextNode(T.borderLine));
    det.appendChild(line);
    var o = el('div');
    o.appendChild(el('span', null, 'pbw-swatch pbw-dash'));
    o.appendChild(document.createTextNode(T.originLine));
    det.appendChild(o);
    box.appendChild(det);
    return box;
};
legend.addTo(parent);
if (parent.attributionControl) { parent.attributionControl.addAttribution(esc(data.attribution)); }
