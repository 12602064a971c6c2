/* The lender console's charts, drawn with the vendored Chart.js from the JSON each page carries. */
(function () {
  "use strict";
  var source = document.getElementById("console-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#0f7b5f", "#2563eb", "#b45309", "#7c3aed", "#b42318", "#0e7490", "#4d7c0f", "#be185d"];
  var base = {responsive: true, maintainAspectRatio: false, animation: false};

  var vintage = document.getElementById("vintage-chart");
  if (vintage && data.vintages) {
    var longest = Math.max.apply(null, [1].concat(data.vintages.map(function (v) { return v.points.length; })));
    new Chart(vintage, {
      type: "line",
      data: {
        labels: Array.from({length: longest}, function (_, i) { return i; }),
        datasets: data.vintages.map(function (v, i) {
          return {label: v.vintage, data: v.points.map(function (p) { return p.repaid_share * 100; }),
                  borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length],
                  tension: 0.2, pointRadius: 2};
        })
      },
      options: Object.assign({}, base, {scales: {
        x: {title: {display: true, text: data.labels.month}},
        y: {beginAtZero: true, max: 100, ticks: {callback: function (v) { return v + "%"; }}}}})
    });
    vintage.dataset.series = String(data.vintages.length);
  }

  var scores = document.getElementById("score-chart");
  if (scores && data.scores) {
    var months = data.scores.months.map(function (m) { return m.month; });
    var grades = ["A", "B", "C", "D", "E"];
    new Chart(scores, {
      type: "bar",
      data: {labels: months, datasets: grades.map(function (g, i) {
        return {label: g, backgroundColor: palette[i], data: data.scores.months.map(function (m) {
          return m.decisions ? 100 * (m.grades[g] || 0) / m.decisions : 0; })};
      })},
      options: Object.assign({}, base, {scales: {x: {stacked: true},
        y: {stacked: true, max: 100, ticks: {callback: function (v) { return v + "%"; }}}}})
    });
    scores.dataset.series = String(months.length);
  }

  var trend = document.getElementById("trend-chart");
  if (trend && data.trends) {
    var money = new Intl.NumberFormat(document.documentElement.lang || "en", {style: "currency", currency: data.currency});
    var scale = Math.pow(10, money.resolvedOptions().maximumFractionDigits);
    new Chart(trend, {
      type: "bar",
      data: {labels: data.trends.map(function (w) { return w.week.slice(5); }), datasets: [
        {label: data.labels.sales, backgroundColor: palette[0], data: data.trends.map(function (w) { return w.sales_amount / scale; })},
        {label: data.labels.purchases, backgroundColor: palette[2], data: data.trends.map(function (w) { return w.purchases_amount / scale; })}
      ]},
      options: Object.assign({}, base, {scales: {y: {beginAtZero: true, ticks: {callback: function (v) { return money.format(v); }}}}})
    });
    trend.dataset.series = String(data.trends.length);
  }
}());
