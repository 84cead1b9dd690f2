/* Dashed lines (with arrowheads) from each reported origin of attackers to the incident.
 * data: a FeatureCollection from geo.mapview.origin_features. */
/* global L, parent, data, esc */

parent.addLayer(L.geoJSON(data, {
    pane: 'pbw-origins',
    style: function (f) {
        return {
            color: '#333333', weight: 1.6, opacity: 0.85,
            dashArray: f.properties.part === 'line' ? '6 4' : null, className: 'pbw-origin'
        };
    },
    onEachFeature: function (f, l) { l.bindTooltip(esc(f.properties.tip), { sticky: true }); }
}));
