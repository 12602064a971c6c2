/* The merchant dashboard's daily sales chart, drawn with the vendored Chart.js from the JSON on the page. */
(function () {
  "use strict";
  var canvas = document.getElementById("sales-chart");
  var source = document.getElementById("sales-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "en";
  var money = new Intl.NumberFormat(lang, {style: "currency", currency: data.currency});
  var day = new Intl.DateTimeFormat(lang, {month: "numeric", day: "numeric"});
  var labels = data.points.map(function (p) { return day.format(new Date(p.date + "T12:00:00")); });
  var scale = Math.pow(10, money.resolvedOptions().maximumFractionDigits);  // minor units per major unit
  var amounts = data.points.map(function (p) { return p.amount / scale; });
  canvas.dataset.points = String(data.points.length);
  new Chart(canvas, {
    type: "bar",
    data: {labels: labels, datasets: [{label: data.label, data: amounts, backgroundColor: "#0f7b5f", borderRadius: 3}]},
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: {legend: {display: false},
                tooltip: {callbacks: {label: function (ctx) { return money.format(ctx.parsed.y); }}}},
      scales: {x: {grid: {display: false}, ticks: {maxTicksLimit: 8, maxRotation: 0}},
               y: {beginAtZero: true, ticks: {maxTicksLimit: 5, callback: function (v) { return money.format(v); }}}}
    }
  });
}());
