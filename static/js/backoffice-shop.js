/* The shop profile's location: pick it on the map (tap, or drag the pin) or from the phone's position;
   the latitude and longitude fields follow, and typing in them moves the pin. Without the map library
   or tiles (offline) the fields and the location button still work. */
(function () {
  "use strict";
  var lat = document.getElementById("latitude");
  var lon = document.getElementById("longitude");
  var box = document.getElementById("map-picker");
  var locate = document.getElementById("locate");
  var marker = null, map = null;

  function typed() {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    return (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) ? [a, b] : null;
  }
  function fill(point) {
    lat.value = point.lat.toFixed(6);
    lon.value = L.Util.wrapNum(point.lng, [-180, 180], true).toFixed(6);
  }
  function place(point, zoom) {
    if (!map) { return; }
    marker.setLatLng(point);
    map.setView(point, zoom || map.getZoom());
  }

  if (box && typeof L !== "undefined") {
    var start = typed() || box.dataset.centre.split(",").map(parseFloat);
    map = L.map(box, {zoomControl: false}).setView(start, typed() ? 17 : 14);
    L.control.zoom({zoomInTitle: box.dataset.zoomIn, zoomOutTitle: box.dataset.zoomOut}).addTo(map);
    map.attributionControl.setPrefix(false);
    L.tileLayer(box.dataset.tiles, {maxZoom: 19, attribution: box.dataset.attribution}).addTo(map);
    marker = L.marker(start, {draggable: true, keyboard: true}).addTo(map);
    map.on("click", function (e) { marker.setLatLng(e.latlng); fill(e.latlng); });
    marker.on("dragend", function () { fill(marker.getLatLng()); });
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () { var p = typed(); if (p) { place(p); } });
    });
  }

  if (locate) {
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) { alert(locate.dataset.error); return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        place([pos.coords.latitude, pos.coords.longitude], 17);
      }, function () { alert(locate.dataset.error); }, {enableHighAccuracy: true, timeout: 10000});
    });
  }
}());
