/* Provinces shaded by incident count, with their names as labels.
 * data: a FeatureCollection from geo.mapview.province_features. */
/* global L, parent, data, esc */

var layer = L.geoJSON(data, {
    style: function (f) {
        return {
            color: '#4d4d4d', weight: 1.2, fillColor: f.properties.fill, fillOpacity: 0.5,
            className: 'pbw-province'
        };
    },
    onEachFeature: function (f, l) { l.bindTooltip(esc(f.properties.tip), { sticky: true }); }
});
parent.addLayer(layer);
/* Names as non-interactive markers: Leaflet keeps markers in place through every
 * resize and zoom of the map, which standalone tooltips do not survive inside an iframe. */
data.features.forEach(function (f) {
    var p = f.properties;
    parent.addLayer(L.marker([p.labelLat, p.labelLon], {
        pane: 'pbw-labels', interactive: false, keyboard: false,
        icon: L.divIcon({
            className: 'pbw-label', html: esc(p.short), iconSize: [140, 16], iconAnchor: [70, 8]
        })
    }));
});
