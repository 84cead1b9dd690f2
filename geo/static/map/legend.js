/* The legend (folded on narrow maps) and the boundary attribution.
 * data: {types: [[label, colour]], shades: [[label, colour]], borderColor, attribution}. */
/* global L, parent, data, el, esc, swatchGrid */

var legend = L.control({ position: 'topright' });
legend.onAdd = function () {
    var box = L.DomUtil.create('div', 'pbw-legend');
    L.DomEvent.disableClickPropagation(box);
    // open where it leaves most of the map visible; one click opens it elsewhere
    var det = el('details');
    det.open = !L.Browser.mobile && parent.getSize().x >= 900;
    det.appendChild(el('summary', 'Legend'));
    det.appendChild(el('div', 'Event type', 'pbw-legend-h'));
    det.appendChild(swatchGrid(data.types, 'pbw-grid', 'pbw-swatch pbw-dot'));
    det.appendChild(el('div', 'Marker size: killed + injured as reported', 'pbw-legend-note'));
    det.appendChild(el('div', 'Shape and colour: event type. Tab reaches each marker; '
        + 'Enter opens it.', 'pbw-legend-note'));
    det.appendChild(el('div', 'Solid outline: the named site. Dashed: district centre. '
        + 'Thick blue outline: your uploaded data.', 'pbw-legend-note'));
    det.appendChild(el('div', 'Incidents in the current filter, per province', 'pbw-legend-h'));
    det.appendChild(swatchGrid(data.shades, 'pbw-grid pbw-grid3', 'pbw-swatch'));
    var line = el('div');
    var sw = el('span', null, 'pbw-swatch pbw-line');
    sw.style.borderTopColor = data.borderColor;
    line.appendChild(sw);
    line.appendChild(document.createTextNode('Afghanistan–Tajikistan border (1:10m)'));
    det.appendChild(line);
    var o = el('div');
    o.appendChild(el('span', null, 'pbw-swatch pbw-dash'));
    o.appendChild(document.createTextNode('Reported origin → target'));
    det.appendChild(o);
    box.appendChild(det);
    return box;
};
legend.addTo(parent);
if (parent.attributionControl) { parent.attributionControl.addAttribution(esc(data.attribution)); }
