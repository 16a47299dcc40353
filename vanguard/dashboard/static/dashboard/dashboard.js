/* The dashboard's charts. Each chart box names, in data-chart, the JSON element (Django's json_script)
   that holds its data — categories, series, a unit — and is drawn here with the vendored ECharts. There is
   no inline script; the same numbers are in a table under each chart, so a browser without JavaScript,
   or without ECharts, still shows them (the box stays hidden). */
(function () {
  "use strict";

  if (typeof window.echarts === "undefined") return;
  var PALETTE = ["#b71c1c", "#d97706", "#2563eb", "#15803d", "#9ca3af", "#7c3aed"];
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var charts = [];

  function read(node) {
    var source = document.getElementById(node.dataset.chart);
    if (!source) return null;
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function withUnit(unit) {
    return function (value) {
      if (value === null || value === undefined) return "—";
      return unit === "%" ? value + "%" : String(value);
    };
  }

  function labelOf(unit) {
    var format = withUnit(unit);
    return function (params) {
      return params.value === null || params.value === undefined ? "" : format(params.value);
    };
  }

  function axisOption(spec) {
    var narrow = window.innerWidth < 576;
    var many = spec.series.length > 1;
    return {
      animation: !still,
      color: spec.colors || PALETTE,
      tooltip: { trigger: "axis", valueFormatter: withUnit(spec.unit) },
      legend: many ? { bottom: 0, itemWidth: 14, itemHeight: 10 } : undefined,
      grid: { left: 8, right: 8, top: 24, bottom: many ? 32 : 8, containLabel: true },
      xAxis: {
        type: "category",
        data: spec.categories,
        axisLabel: { interval: 0, fontSize: narrow ? 10 : 12, hideOverlap: true },
      },
      yAxis: {
        type: "value",
        max: spec.max === undefined ? null : spec.max,
        minInterval: spec.unit === "%" ? 0 : 1,
        axisLabel: { formatter: withUnit(spec.unit) },
      },
      series: spec.series.map(function (s) {
        var line = s.kind === "line";
        return {
          type: line ? "line" : "bar",
          name: s.name,
          data: s.data,
          stack: s.stack || undefined,
          barMaxWidth: 36,
          itemStyle: s.color ? { color: s.color } : undefined,
          label: { show: !line, position: "top", fontSize: 11, formatter: labelOf(spec.unit) },
        };
      }),
    };
  }

  function donutOption(spec) {
    var values = spec.series[0] ? spec.series[0].data : [];
    return {
      animation: !still,
      color: spec.colors || PALETTE,
      tooltip: { trigger: "item" },
      legend: { bottom: 0, itemWidth: 14, itemHeight: 10 },
      series: [{
        type: "pie",
        name: spec.series[0] ? spec.series[0].name : "",
        radius: ["42%", "68%"],
        center: ["50%", "45%"],
        avoidLabelOverlap: true,
        label: { formatter: "{b} {c}" },
        data: spec.categories.map(function (name, i) { return { name: name, value: values[i] }; }),
      }],
    };
  }

  document.querySelectorAll(".dash-chart[data-chart]").forEach(function (node) {
    var spec = read(node);
    if (!spec) return;
    node.hidden = false;
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    chart.setOption(spec.kind === "donut" ? donutOption(spec) : axisOption(spec));
    node.classList.add("is-drawn");
    charts.push(chart);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (chart) { chart.resize(); });
    }, 150);
  });
})();
