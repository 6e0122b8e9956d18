/* Draws the charts of a page with the vendored Chart.js: every <canvas data-chart="line|bar">
   reads its series from the JSON <script> whose id is data-source (rendered with json_script),
   so no inline script is needed. data-series names the keys, data-labels their legends. */
(function () {
  "use strict";

  var COLOURS = ["#4338ca", "#059669", "#dc2626", "#d97706", "#0891b2"];

  function render(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var keys = canvas.dataset.series.split(",");
    var labels = (canvas.dataset.labels || "").split("|");
    var type = canvas.dataset.chart === "bar" ? "bar" : "line";
    var datasets = keys.map(function (key, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: labels[index] || key,
        data: (data[key] || []).map(Number),
        borderColor: colour,
        backgroundColor: type === "bar" ? colour : colour + "22",
        borderWidth: 2,
        pointRadius: data.labels.length > 45 ? 0 : 3,
        tension: 0.2,
        fill: false
      };
    });
    new window.Chart(canvas, {
      type: type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true } },
        plugins: { legend: { position: "bottom" } }
      }
    });
    canvas.dataset.drawn = "true";
  }

  function renderAll() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), render);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
})();
