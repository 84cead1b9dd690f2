/* The Afghanistan–Tajikistan border: a white halo under a dark line.
 * data: one GeoJSON Feature (LineString) with properties {tip, color}. */
/* global L, parent, data, esc */

parent.addLayer(L.geoJSON(data, {
    pane: 'pbw-border', interactive: false,
    style: function () { return { color: '#ffffff', weight: 6, opacity: 0.9 }; }
}));
parent.addLayer(L.geoJSON(data, {
    pane: 'pbw-border',
    style: function () {
        return { color: data.properties.color, weight: 3, opacity: 1, className: 'pbw-border' };
    },
    onEachFeature: function (f, l) { l.bindTooltip(esc(f.properties.tip), { sticky: true }); }
}));
