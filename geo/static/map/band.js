/* The "within N km of the border" band, drawn under everything and never clickable.
 * data: one GeoJSON Feature (the buffered area). */
/* global L, parent, data */

parent.addLayer(L.geoJSON(data, {
    interactive: false,
    style: function () {
        return {
            color: '#1f78b4', weight: 1, dashArray: '4 3', fillColor: '#a6cee3',
            fillOpacity: 0.25, className: 'pbw-band'
        };
    }
}));
