/* Kefu metric pages: interactive charts with Apache ECharts (served from static/vendor).

   A chart is a <div data-chart="line|bar" data-source="ID"> whose data is the JSON of
   <script id="ID" type="application/json"> (Django's json_script):
     line: {labels: [...], series: [{name, unit, values, dashed?}], areas?: [{name, key, from, to}]}
     bar:  {labels: [...], values: [...], unit, name}
   Units: count, percent, seconds, yuan, hours, number (kefu.reports.formatting.display_kind). */
(function () {
  "use strict";

  var COLORS = ["#1d4ed8", "#94a3b8", "#f59e0b", "#059669", "#db2777", "#7c3aed"];
  var AREA_COLORS = {
    before: "rgba(148, 163, 184, 0.12)",
    presale: "rgba(245, 158, 11, 0.12)",
    main: "rgba(220, 38, 38, 0.10)",
    after: "rgba(5, 150, 105, 0.10)"
  };
  var words = {s: "s", min: "min", h: "h", noData: "No data"};

  function duration(seconds) {
    if (seconds < 60) return seconds.toFixed(1) + words.s;
    var total = Math.round(seconds);
    if (total < 3600) {
      return Math.floor(total / 60) + words.min + String(total % 60).padStart(2, "0") + words.s;
    }
    return Math.floor(total / 3600) + words.h + String(Math.floor(total % 3600 / 60)).padStart(2, "0") + words.min;
  }

  function format(unit, value) {
    if (value === null || value === undefined || value === "-") return "—";
    var v = Number(value);
    switch (unit) {
      case "percent": return (v * 100).toFixed(1) + "%";
      case "seconds": return duration(v);
      case "yuan": return "¥" + v.toLocaleString("zh-CN", {minimumFractionDigits: 2, maximumFractionDigits: 2});
      case "hours": return v.toFixed(1) + words.h;
      case "number": return v.toFixed(2);
      default: return v.toLocaleString("zh-CN");
    }
  }

  function axisFormat(unit, value) {
    if (unit === "percent") return Math.round(value * 100) + "%";
    if (unit === "seconds") {
      if (value >= 3600) return +(value / 3600).toFixed(1) + words.h;
      if (value >= 60) return +(value / 60).toFixed(1) + words.min;
      return Math.round(value) + words.s;
    }
    if (unit === "yuan") return "¥" + Number(value).toLocaleString("zh-CN");
    return Number(value).toLocaleString("zh-CN");
  }

  function lineOption(data) {
    var unit = (data.series[0] || {}).unit || "count";
    var many = data.labels.length > 40;
    var series = data.series.map(function (s, index) {
      var item = {
        name: s.name,
        type: "line",
        data: s.values,
        smooth: false,
        showSymbol: !many,
        symbolSize: 5,
        connectNulls: false,
        clip: false,
        lineStyle: {width: index === 0 ? 2.5 : 2, type: s.dashed ? "dashed" : "solid"},
        emphasis: {focus: "series"}
      };
      if (index === 0 && !s.dashed && data.series.length === 1) {
        item.areaStyle = {opacity: 0.08};
      }
      return item;
    });
    // Phases (campaign reviews): every category band takes its phase's colour; the
    // coloured chips above the chart name them.
    var bands = null;
    if (data.areas && data.areas.length) {
      bands = data.labels.map(function () { return "rgba(0,0,0,0)"; });
      data.areas.forEach(function (a) {
        var first = data.labels.indexOf(a.from), last = data.labels.indexOf(a.to);
        for (var i = first; i >= 0 && i <= last; i++) bands[i] = AREA_COLORS[a.key] || "rgba(29,78,216,0.08)";
      });
    }
    // Days (up to a month) and phases read better in bands; long series as a continuous line.
    var banded = !!bands || data.labels.length <= 31;
    return {
      color: COLORS,
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return format(unit, v); }
      },
      legend: data.series.length > 1 ? {top: 0, icon: "roundRect"} : undefined,
      grid: {left: 12, right: 20, top: data.series.length > 1 ? 36 : 16, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: data.labels, boundaryGap: banded,
              // Without bands the first and last labels sit on the edges: keep them inside.
              axisLabel: banded ? {color: "#6b7280", hideOverlap: true}
                                : {color: "#6b7280", hideOverlap: true, alignMinLabel: "left", alignMaxLabel: "right"},
              axisLine: {lineStyle: {color: "#d1d5db"}},
              splitArea: bands ? {show: true, interval: 0, areaStyle: {color: bands}} : {show: false}},
      yAxis: {type: "value", min: 0, minInterval: unit === "count" ? 1 : 0,
              axisLabel: {color: "#6b7280", formatter: function (v) { return axisFormat(unit, v); }},
              splitLine: {lineStyle: {color: "#eef0f3"}}},
      series: series
    };
  }

  function barOption(data) {
    var unit = data.unit || "count";
    return {
      color: COLORS,
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, valueFormatter: function (v) { return format(unit, v); }},
      grid: {left: 12, right: 20, top: 28, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: data.labels, axisLabel: {color: "#4b5563", interval: 0, hideOverlap: true}},
      yAxis: {type: "value", min: 0, minInterval: unit === "count" ? 1 : 0,
              axisLabel: {color: "#6b7280", formatter: function (v) { return axisFormat(unit, v); }},
              splitLine: {lineStyle: {color: "#eef0f3"}}},
      series: [{
        name: data.name, type: "bar", data: data.values, barMaxWidth: 44,
        itemStyle: {borderRadius: [4, 4, 0, 0]},
        label: {show: true, position: "top", color: "#374151", formatter: function (p) { return format(unit, p.value); }}
      }]
    };
  }

  function empty(data, kind) {
    var lists = kind === "bar" ? [data.values || []] : (data.series || []).map(function (s) { return s.values; });
    return !lists.some(function (values) { return values.some(function (v) { return v !== null && v !== 0; }); });
  }

  function render(el) {
    if (el.dataset.rendered || typeof echarts === "undefined") return;
    var source = document.getElementById(el.dataset.source);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var kind = el.dataset.chart;
    var chart = echarts.init(el, null, {renderer: "canvas"});
    var option = kind === "bar" ? barOption(data) : lineOption(data);
    if (empty(data, kind)) {
      option.graphic = {type: "text", left: "center", top: "middle",
                        style: {text: words.noData, fill: "#9ca3af", fontSize: 13}};
    }
    chart.setOption(option);
    el.dataset.rendered = "1";
    el._chart = chart;
  }

  function renderAll(root) {
    root.querySelectorAll("[data-chart]").forEach(render);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var i18n = document.getElementById("chart-i18n");
    if (i18n) words = Object.assign(words, JSON.parse(i18n.textContent));
    renderAll(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) { renderAll(event.target); });
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) { if (el._chart) el._chart.resize(); });
  });
})();
