/* The note on an exported standalone map: its title, the filter, and a link back.
 * data: {title, lines: [text], link}; T: labels (geo.maptext). */
/* global L, parent, data, T, el, link, speak */

var note = L.control({ position: 'bottomleft' });
note.onAdd = function () {
    var box = speak(L.DomUtil.create('div', 'pbw-legend'));
    box.appendChild(el('div', data.title, 'pbw-legend-h'));
    data.lines.forEach(function (t) { box.appendChild(el('div', t, 'pbw-legend-note')); });
    if (data.link) { box.appendChild(link(T.openView, data.link)); }
    return box;
};
note.addTo(parent);
