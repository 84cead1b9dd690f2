/* Density mode: incidents summed in grid cells, drawn as sized canvas circles.
 * data: geo.density.density_cells; T: labels (geo.maptext). */
/* global L, parent, data, T, el, esc, speak */

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

function cellText(j) { return T.cell.replace('{n}', data.count[j]).replace('{km}', data.km); }

layer.on('mouseover', function (e) {
    e.layer.bindTooltip(esc(cellText(e.layer._pbw))).openTooltip();
});
layer.on('click', function (e) {
    var j = e.layer._pbw;
    var box = speak(el('div', null, 'pbw-popup'));
    box.appendChild(el('div', cellText(j), 'pbw-title'));
    box.appendChild(el('div', T.killedReported + ': ' + data.killed[j]));
    box.appendChild(el('div', T.injuredReported + ': ' + data.injured[j]));
    box.appendChild(el('div', T.span.replace('{first}', data.first[j])
        .replace('{last}', data.last[j])));
    box.appendChild(el('div', T.topType + ': ' + data.top[j]));
    box.appendChild(el('div', T.narrow, 'pbw-place'));
    L.popup({ maxWidth: 300 }).setLatLng(e.latlng).setContent(box).openOn(layer._map);
});
parent.addLayer(layer);
window.pbwDrawn = {
    mode: 'density', n: data.count.reduce(function (a, b) { return a + b; }, 0),
    cells: data.lat.length
};
