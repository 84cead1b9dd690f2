/* Compact mode: canvas markers with abridged popups, from column arrays.
 * data: geo.mapview.compact_columns. Each marker carries a GeoJSON feature whose
 * properties say what a click hit (geo.mapview.clicked reads them). T: labels. */
/* global L, parent, data, T, el, esc, link, speak, YOURS_NOTE */

var renderer = L.canvas({ pane: 'pbw-incidents', padding: 0.3 });
var layer = L.featureGroup();
for (var j = 0; j < data.lat.length; j++) {
    var m = L.circleMarker([data.lat[j], data.lon[j]], {
        renderer: renderer, radius: data.radius[j],
        color: data.mine[j] ? '#0b3d91' : '#1a1a1a', weight: data.mine[j] ? 2 : 0.6,
        fillColor: data.types[data.type[j]][1], fillOpacity: 0.8
    });
    m._pbw = j;
    m.feature = { type: 'Feature', properties: { kind: 'incident', ref: data.id[j] } };
    layer.addLayer(m);
}

function line(text) { return el('div', text); }

layer.on('mouseover', function (e) {
    var j = e.layer._pbw;
    e.layer.bindTooltip(esc(data.date[j] + ' · ' + data.types[data.type[j]][0] + ' · '
        + data.place[j] + ' · ' + data.id[j])).openTooltip();
});
layer.on('click', function (e) {
    var j = e.layer._pbw;
    var box = speak(el('div', null, 'pbw-popup'));
    if (data.mine[j]) { box.appendChild(el('div', YOURS_NOTE, 'pbw-mine')); }
    box.appendChild(el('div', data.date[j] + ' — ' + data.types[data.type[j]][0], 'pbw-title'));
    box.appendChild(el('div', data.place[j], 'pbw-place'));
    // geo.fields' compact fields: a label and a column of values each
    data.fields.forEach(function (f) { box.appendChild(line(f[0] + ': ' + f[1][j])); });
    if (data.source[j]) { box.appendChild(link(T.firstSource, data.source[j])); }
    box.appendChild(el('div', T.abridged, 'pbw-place'));
    L.popup({ maxWidth: 320 }).setLatLng(e.latlng).setContent(box).openOn(layer._map);
});
parent.addLayer(layer);
window.pbwDrawn = { mode: 'compact', n: data.lat.length };
