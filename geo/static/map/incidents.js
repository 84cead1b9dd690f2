/* Detailed mode: each incident as a marker in its type's shape, with its full popup.
 * data: a FeatureCollection from geo.mapview.incident_features; T: labels (geo.maptext). */
/* global L, parent, data, T, el, esc, link, shapeSvg, speak, YOURS_NOTE */

function addRow(t, label, value) {
    if (value === null || value === undefined || value === '') { return; }
    var tr = el('tr'); tr.appendChild(el('th', label));
    tr.appendChild(el('td', value)).dir = 'auto';
    t.appendChild(tr);
}

function popupFor(p) {
    var box = speak(el('div', null, 'pbw-popup'));
    if (p.mine) { box.appendChild(el('div', YOURS_NOTE, 'pbw-mine')); }
    box.appendChild(el('div', p.title, 'pbw-title'));
    box.appendChild(el('div', p.place, 'pbw-place'));
    box.appendChild(el('p', p.summary)).dir = 'auto';  // the source's language
    var t = el('table');
    // geo.fields' popup fields (the same list the record panel shows): the labels come
    // once with the layer, each incident brings its values in their order
    p.values.forEach(function (v, i) { addRow(t, data.labels[i], v); });
    box.appendChild(t);
    if (p.notes) {
        var d = el('details');
        d.appendChild(el('summary', T.notes));
        d.appendChild(el('p', p.notes)).dir = 'auto'; box.appendChild(d);
    }
    box.appendChild(el('div', T.sources, 'pbw-sources'));
    var ul = el('ul');
    p.sources.forEach(function (src) {
        var li = el('li');
        li.appendChild(link(src.outlet + ', ' + (src.date || T.undated), src.url));
        ul.appendChild(li);
    });
    box.appendChild(ul);
    return box;
}

var map = null;
/* Each incident is a marker whose icon is its type's shape: reachable with Tab, named for
 * screen readers by its tooltip text, and Enter opens its record as a click does. */
var layer = L.geoJSON(data, {
    pointToLayer: function (f, latlng) {
        var p = f.properties;
        var size = Math.round(2 * p.radius + 6);
        var icon = shapeSvg(p.shape, size, p.color, {
            stroke: p.mine ? '#0b3d91' : '#1a1a1a',
            width: p.mine ? 3 : (p.geoPrecision === 1 ? 1.6 : 1.1),
            dash: p.geoPrecision === 1 ? null : '3 2',
            cls: 'pbw-incident pbw-id-' + p.id.replace(/[^A-Za-z0-9_-]/g, '_')
        });
        return L.marker(latlng, {
            pane: 'pbw-incidents', keyboard: true, riseOnHover: true,
            icon: L.divIcon({ html: icon, className: 'pbw-marker', iconSize: [size, size],
                              iconAnchor: [size / 2, size / 2] })
        });
    },
    onEachFeature: function (f, l) {
        var p = f.properties;
        l._pbwTrue = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
        l.bindTooltip(esc(p.tip), { sticky: true });
        l.bindPopup(function () { return popupFor(p); }, { maxWidth: 380, minWidth: 260 });
        l.on('add', function () {
            var e = l.getElement();
            if (e) { e.setAttribute('aria-label', p.tip + '. ' + T.pressEnter); }
        });
        l.on('keypress', function (ev) {
            var key = ev.originalEvent && ev.originalEvent.key;
            // propagate, as a real click does, so the map's listeners hear which marker it was
            if (key === 'Enter' || key === ' ') {
                l.fire('click', { latlng: l.getLatLng() }, true);
            }
        });
    }
});

/* Incidents that share a point (most are district centres) fan out in a ring of a few
 * pixels so each can be seen and clicked; their true point is in the tooltip and popup. */
function spread() {
    if (!map) { return; }
    layer.eachLayer(function (l) {
        var p = l.feature.properties;
        if (!p.groupSize || p.groupSize < 2) { return; }
        var r = 9 + 2.2 * p.groupSize, a = 2 * Math.PI * p.groupIndex / p.groupSize;
        var pt = map.latLngToLayerPoint(l._pbwTrue).add(L.point(r * Math.cos(a), r * Math.sin(a)));
        l.setLatLng(map.layerPointToLatLng(pt));
    });
}

layer.on('add', function () { map = layer._map; spread(); map.on('zoomend', spread); });
layer.on('remove', function () { if (map) { map.off('zoomend', spread); } });
parent.addLayer(layer);
window.pbwDrawn = { mode: 'detailed', n: data.features.length };
