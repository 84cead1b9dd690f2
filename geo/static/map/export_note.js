/* The note on an exported standalone map: its title, the filter, and a link back.
 * data: {title, lines: [text], link}. */
/* global L, parent, data, el, link */

var note = L.control({ position: 'bottomleft' });
note.onAdd = function () {
    var box = L.DomUtil.create('div', 'pbw-legend');
    box.appendChild(el('div', data.title, 'pbw-legend-h'));
    data.lines.forEach(function (t) { box.appendChild(el('div', t, 'pbw-legend-note')); });
    if (data.link) { box.appendChild(link('Open this view in the dashboard', data.link)); }
    return box;
};
note.addTo(parent);
