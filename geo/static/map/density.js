/* Density mode: incidents summed in grid cells, drawn as sized canvas circles.
 * data: geo.mapview.density_cells. */
/* global L, parent, data, el, esc */

var renderer = L.canvas({ pane: 'pbw-incidents' });
var layer = L.featureGroup();
var most = Math.max.apply(null, data.count.concat([1]));
for (var j = 0; j < data.lat.length; j++) {
    var f = Math.sqrt(data.count[j] / most);
    var c = L.circleMarker([data.lat[j], data.lon[j]], {
        renderer: renderer, radius: 3 + 17 * f, color: '#7f2704', weight: 0.8,
        fillColor: f > 0.66 ? '#d94801' : (f > 0.33 ? '#fd8d3c' : '#fdd0a2'), fillOpacity: 0.75
    });
    c._pbw = j;
    layer.addLayer(c);
}

function cellText(j) { return data.count[j] + ' incidents in this ' + data.km + ' km cell'; }

layer.on('mouseover', function (e) {
    e.layer.bindTooltip(esc(cellText(e.layer._pbw))).openTooltip();
});
layer.on('click', function (e) {
    var j = e.layer._pbw;
    var box = el('div', null, 'pbw-popup');
    box.appendChild(el('div', cellText(j), 'pbw-title'));
    box.appendChild(el('div', 'Killed (reported): ' + data.killed[j]));
    box.appendChild(el('div', 'Injured (reported): ' + data.injured[j]));
    box.appendChild(el('div', 'From ' + data.first[j] + ' to ' + data.last[j]));
    box.appendChild(el('div', 'Most common type: ' + data.top[j]));
    box.appendChild(el('div', 'Narrow the filter to see each incident.', 'pbw-place'));
    L.popup({ maxWidth: 300 }).setLatLng(e.latlng).setContent(box).openOn(layer._map);
});
parent.addLayer(layer);
window.pbwDrawn = {
    mode: 'density', n: data.count.reduce(function (a, b) { return a + b; }, 0),
    cells: data.lat.length
};
