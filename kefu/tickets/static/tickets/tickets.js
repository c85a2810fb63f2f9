/* Kefu tickets: bulk selection, the bulk action's inputs, the comment kind's department,
   reloading the new-ticket form on a type change, and the SLA report's chart (ECharts). */
(function () {
  "use strict";

  function bulk() {
    var form = document.querySelector("[data-bulk-form]");
    if (!form) return;
    var boxes = function () { return form.querySelectorAll('input[name="ids"]'); };
    var all = form.querySelector("[data-select-all]");
    var count = form.querySelector("[data-selected-count] strong");
    function update() {
      var n = 0;
      boxes().forEach(function (b) { if (b.checked) n += 1; });
      if (count) count.textContent = n;
    }
    if (all) all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      update();
    });
    form.addEventListener("change", function (event) { if (event.target.name === "ids") update(); });
    var action = form.querySelector("[data-bulk-action]");
    var assignee = form.querySelector("[data-bulk-assignee]");
    var status = form.querySelector("[data-bulk-status]");
    function toggle() {
      if (!action) return;
      assignee.hidden = action.value !== "assign";
      status.hidden = action.value !== "transition";
    }
    if (action) { action.addEventListener("change", toggle); toggle(); }
  }

  function comment() {
    var form = document.querySelector("[data-comment-form]");
    if (!form) return;
    var kind = form.querySelector('select[name="kind"]');
    var department = form.querySelector("[data-ask-department]");
    function toggle() { department.hidden = kind.value !== "ask_back"; }
    kind.addEventListener("change", toggle);
    toggle();
  }

  function newTicket() {
    var form = document.querySelector("[data-new-ticket]");
    if (!form) return;
    var type = form.querySelector('select[name="type"]');
    type.addEventListener("change", function () {
      var params = new URLSearchParams(window.location.search);
      params.set("type", type.value);
      var conversation = form.querySelector('input[name="conversation"]');
      if (conversation && conversation.value) params.set("conversation", conversation.value);
      window.location.search = params.toString();
    });
  }

  function chart() {
    var el = document.querySelector("[data-sla-chart]");
    if (!el || !window.echarts) return;
    var data = JSON.parse(document.getElementById(el.dataset.source).textContent);
    var instance = window.echarts.init(el);
    var colors = ["#1d4ed8", "#94a3b8", "#dc2626"];
    var series = data.series.map(function (s, i) {
      return {name: s.name, type: "bar", data: s.values, barMaxWidth: 36, itemStyle: {color: colors[i]}};
    });
    series.push({name: data.breached_name, type: "line", yAxisIndex: 1, data: data.breached, symbolSize: 8,
                 itemStyle: {color: colors[2]}, lineStyle: {width: 0}});
    instance.setOption({
      grid: {left: 56, right: 56, top: 40, bottom: 40},
      legend: {top: 0},
      tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: data.labels, axisLabel: {interval: 0}},
      yAxis: [
        {type: "value", name: data.hours, axisLabel: {formatter: "{value}"}},
        {type: "value", name: "%", min: 0, max: 100, splitLine: {show: false}}
      ],
      series: series
    });
    window.addEventListener("resize", function () { instance.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bulk();
    comment();
    newTicket();
    chart();
  });
})();
