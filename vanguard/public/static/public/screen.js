/* The big screen (电子显示屏): rotates through its slides every few seconds and fetches its data again every
   minute without reloading. Everything it needs comes from the page's data- attributes (no inline script, so
   a Content-Security-Policy can forbid them); every text from the data is set as text, never as HTML.

   Keys: → ↓ PageDown next slide, ← ↑ PageUp previous. ?slide=N starts at slide N (1 = the first);
   ?still=1 keeps the slide still (for screenshots). */
(function () {
  "use strict";

  var root = document.getElementById("screen");
  if (!root) return;
  var cfg = root.dataset;
  var params = new URLSearchParams(window.location.search);
  var slides = Array.prototype.slice.call(root.querySelectorAll(".screen-slide"));
  var dots = Array.prototype.slice.call(root.querySelectorAll("[data-go]"));
  var still = params.get("still") === "1";
  var slideMs = parseInt(cfg.slideMs, 10) || 15000;
  var refreshMs = parseInt(cfg.refreshMs, 10) || 60000;
  var current = 0;
  var timer = null;
  var charts = {};
  var hasCharts = typeof window.echarts !== "undefined";

  function wrap(i) {
    return ((i % slides.length) + slides.length) % slides.length;
  }

  function show(i) {
    current = wrap(i);
    slides.forEach(function (slide, n) {
      slide.classList.toggle("active", n === current);
    });
    dots.forEach(function (dot, n) {
      dot.setAttribute("aria-current", n === current ? "true" : "false");
    });
    root.dataset.current = String(current + 1);
    Object.keys(charts).forEach(function (id) {
      charts[id].resize();
    });
  }

  function restart() {
    if (timer) window.clearInterval(timer);
    timer = still ? null : window.setInterval(function () { show(current + 1); }, slideMs);
  }

  function go(i) {
    show(i);
    restart();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight" || event.key === "ArrowDown" || event.key === "PageDown") {
      go(current + 1);
      event.preventDefault();
    } else if (event.key === "ArrowLeft" || event.key === "ArrowUp" || event.key === "PageUp") {
      go(current - 1);
      event.preventDefault();
    }
  });
  dots.forEach(function (dot) {
    dot.addEventListener("click", function () { go(parseInt(dot.dataset.go, 10)); });
  });

  // --- filling the slides ------------------------------------------------------------------------------

  function pick(data, path) {
    return path.split(".").reduce(function (value, key) {
      return value === null || value === undefined ? undefined : value[key];
    }, data);
  }

  function text(value) {
    return value === null || value === undefined || value === "" ? "—" : String(value);
  }

  function el(tag, content, className) {
    var node = document.createElement(tag);
    if (content !== undefined) node.textContent = content;
    if (className) node.className = className;
    return node;
  }

  function fill(list, items, make) {
    list.replaceChildren.apply(list, items.map(make));
  }

  function chart(id) {
    if (!hasCharts) return null;
    if (!charts[id]) {
      var node = document.getElementById(id);
      if (!node) return null;
      charts[id] = window.echarts.init(node, "dark", { renderer: "canvas" });
    }
    return charts[id];
  }

  var fontSize = function () { return Math.max(18, Math.round(window.innerWidth / 70)); };

  function drawCoverage(coverage) {
    var c = chart("chart-coverage");
    if (!c) return;
    c.setOption({
      backgroundColor: "transparent",
      textStyle: { fontSize: fontSize() },
      color: ["#4ade80", "#f87171"],
      legend: { bottom: 0, textStyle: { fontSize: fontSize() } },
      series: [{
        type: "pie",
        radius: ["45%", "75%"],
        label: { fontSize: fontSize(), formatter: "{c}" },
        data: [
          { name: cfg.labelCovered, value: coverage.covered },
          { name: cfg.labelUncovered, value: coverage.uncovered },
        ],
      }],
    }, true);
  }

  function drawCategories(requests) {
    var c = chart("chart-categories");
    if (!c) return;
    c.setOption({
      backgroundColor: "transparent",
      tooltip: { trigger: "item" },
      series: [{
        type: "pie",
        name: cfg.labelRequests,
        radius: "70%",
        label: { fontSize: fontSize(), formatter: "{b} {c}" },
        data: requests.by_category,
      }],
    }, true);
  }

  function drawHours(hours) {
    var c = chart("chart-hours");
    if (!c) return;
    c.setOption({
      backgroundColor: "transparent",
      grid: { left: "6%", right: "3%", top: "8%", bottom: "12%" },
      xAxis: { type: "category", data: hours.months, axisLabel: { fontSize: fontSize() } },
      yAxis: { type: "value", axisLabel: { fontSize: fontSize() } },
      series: [{
        type: "bar",
        name: cfg.labelHours,
        data: hours.hours,
        itemStyle: { color: "#f87171" },
        label: { show: true, position: "top", fontSize: fontSize() },
      }],
    }, true);
  }

  function render(data) {
    root.querySelectorAll("[data-field]").forEach(function (node) {
      node.textContent = text(pick(data, node.dataset.field));
    });
    root.querySelectorAll("[data-rate]").forEach(function (node) {
      var rate = pick(data, node.dataset.rate);
      node.textContent = rate && rate.rate !== null ? rate.rate + "%" : "—";
    });
    root.querySelectorAll("[data-sample]").forEach(function (node) {
      var rate = pick(data, node.dataset.sample);
      node.textContent = rate ? "(n=" + rate.expected + ")" : "";
    });

    fill(document.getElementById("coverage-gaps"), data.coverage.gaps, function (name) {
      return el("li", name);
    });
    drawCoverage(data.coverage);

    var rows = data.results ? data.results.rows : [];
    document.getElementById("results-empty").hidden = rows.length > 0;
    document.getElementById("results-table").hidden = rows.length === 0;
    fill(document.getElementById("results-rows"), rows, function (row) {
      var tr = el("tr");
      var total = typeof row.total === "number" ? row.total.toFixed(2) : row.total;
      [row.rank, row.name, row.unit, total].forEach(function (value) {
        tr.appendChild(el("td", text(value)));
      });
      return tr;
    });

    document.getElementById("stars-empty").hidden = data.stars.length > 0;
    fill(document.getElementById("stars-rows"), data.stars, function (post) {
      var li = el("li");
      var name = el("span", post.name);
      if (post.named) name.appendChild(el("span", cfg.labelNamed, "named"));
      name.appendChild(el("span", post.organisation, "org"));
      li.appendChild(name);
      li.appendChild(el("span", "★".repeat(post.stars) + "☆".repeat(5 - post.stars), "stars"));
      return li;
    });

    drawCategories(data.requests);
    drawHours(data.hours);

    // The server's local time of the data, as it wrote it ("2026-05-04T09:30:00+08:00").
    document.getElementById("screen-updated").textContent = data.generated_at.slice(11, 19);
    document.getElementById("screen-stale").hidden = true;
    root.dataset.loaded = "1";
  }

  function load() {
    window.fetch(cfg.url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(render)
      .catch(function () {
        var stale = document.getElementById("screen-stale");
        stale.textContent = cfg.labelStale;
        stale.hidden = false;
      });
  }

  function tick() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    document.getElementById("screen-clock").textContent = pad(now.getHours()) + ":" + pad(now.getMinutes());
  }

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });

  var start = parseInt(params.get("slide"), 10);
  show(Number.isNaN(start) ? 0 : Math.max(start, 1) - 1);
  restart();
  tick();
  window.setInterval(tick, 1000);
  load();
  window.setInterval(load, refreshMs);
})();
