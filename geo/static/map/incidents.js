/* Detailed mode: each incident as a GeoJSON circle marker with its full popup.
 * data: a FeatureCollection from geo.mapview.incident_features. */
/* global L, parent, data, el, esc, link, YOURS_NOTE */

function addRow(t, label, value) {
    if (value === null || value === undefined || value === '') { return; }
    var tr = el('tr'); tr.appendChild(el('th', label)); tr.appendChild(el('td', value));
    t.appendChild(tr);
}

function popupFor(p) {
    var box = el('div', null, 'pbw-popup');
    if (p.mine) { box.appendChild(el('div', YOURS_NOTE, 'pbw-mine')); }
    box.appendChild(el('div', p.title, 'pbw-title'));
    box.appendChild(el('div', p.place, 'pbw-place'));
    box.appendChild(el('p', p.summary));
    var t = el('table');
    addRow(t, 'Killed', p.killed === null ? 'not reported' : p.killed);
    addRow(t, 'Injured', p.injured === null ? 'not reported' : p.injured);
    addRow(t, 'Victims', p.victims);
    addRow(t, 'Blamed (by whom)', p.perpetrator);
    addRow(t, 'Attackers from', p.origin);
    addRow(t, 'Time (local)', p.time);
    addRow(t, 'Location', p.precision);
    addRow(t, 'To the border', p.borderKm);
    addRow(t, 'Cross-border', p.cross);
    addRow(t, 'Confidence', p.confidence);
    addRow(t, 'Incident ID', p.id);
    box.appendChild(t);
    if (p.notes) {
        var d = el('details');
        d.appendChild(el('summary', 'Notes: conflicting figures, location'));
        d.appendChild(el('p', p.notes)); box.appendChild(d);
    }
    box.appendChild(el('div', 'Sources', 'pbw-sources'));
    var ul = el('ul');
    p.sources.forEach(function (src) {
        var li = el('li');
        li.appendChild(link(src.outlet + (src.date ? ', ' + src.date : ', undated'), src.url));
        ul.appendChild(li);
    });
    box.appendChild(ul);
    return box;
}

var map = null;
var layer = L.geoJSON(data, {
    pointToLayer: function (f, latlng) {
        var p = f.properties;
        return L.circleMarker(latlng, {
            pane: 'pbw-incidents', radius: p.radius,
            color: p.mine ? '#0b3d91' : '#1a1a1a',
            weight: p.mine ? 3 : (p.geoPrecision === 1 ? 1.6 : 1.1),
            dashArray: p.geoPrecision === 1 ? null : '3 2', fillColor: p.color,
            fillOpacity: 0.85,
            className: 'pbw-incident pbw-id-' + p.id.replace(/[^A-Za-z0-9_-]/g, '_')
        });
    },
    onEachFeature: function (f, l) {
        var p = f.properties;
        l._pbwTrue = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
        l.bindTooltip(esc(p.tip), { sticky: true });
        l.bindPopup(function () { return popupFor(p); }, { maxWidth: 380, minWidth: 260 });
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
