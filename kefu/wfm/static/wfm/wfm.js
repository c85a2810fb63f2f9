/* The roster's coverage curve (ECharts, served from static/vendor): agents required vs
   scheduled per interval as steps on the left axis, forecast and actual conversations on
   the right. Data: the JSON of <script id="coverage-chart">, labels of <script id="coverage-words">. */
(function () {
  "use strict";

  function draw() {
    var node = document.querySelector("[data-coverage-chart]");
    var source = document.getElementById("coverage-chart");
    if (!node || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var words = JSON.parse(document.getElementById("coverage-words").textContent);
    var chart = window.echarts.init(node);
    var series = [
      {name: words.required, type: "line", step: "start", data: data.required, showSymbol: false,
       lineStyle: {width: 2, color: "#dc2626"}, itemStyle: {color: "#dc2626"}},
      {name: words.scheduled, type: "line", step: "start", data: data.scheduled, showSymbol: false,
       lineStyle: {width: 2, color: "#1d4ed8"}, itemStyle: {color: "#1d4ed8"}, areaStyle: {opacity: 0.08}},
      {name: words.forecast, type: "line", yAxisIndex: 1, data: data.forecast, showSymbol: false,
       lineStyle: {width: 1.5, type: "dashed", color: "#f59e0b"}, itemStyle: {color: "#f59e0b"}},
      {name: words.actual, type: "line", yAxisIndex: 1, data: data.actual, showSymbol: false, connectNulls: false,
       lineStyle: {width: 1.5, color: "#059669"}, itemStyle: {color: "#059669"}}
    ];
    chart.setOption({
      animation: false,
      tooltip: {trigger: "axis"},
      legend: {top: 0},
      grid: {left: 48, right: 56, top: 36, bottom: 64},
      dataZoom: [{type: "inside"}, {type: "slider", height: 18, bottom: 8}],
      xAxis: {type: "category", data: data.labels, axisLabel: {interval: 47}},
      yAxis: [{type: "value", name: words.agents, minInterval: 1},
              {type: "value", name: words.volume, splitLine: {show: false}}],
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
    node.dataset.ready = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
