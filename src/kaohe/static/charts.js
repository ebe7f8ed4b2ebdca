// Charts (Apache ECharts, vendored): each .kaohe-chart names the JSON script element holding
// its data (exact figures as strings; the table beside the chart shows the same strings).
(function () {
  "use strict";

  function num(values) {
    return values.map(function (v) { return v === null ? null : Number(v); });
  }

  var font = '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

  function bars(data) {
    // horizontal bars, largest loss on top
    var labels = data.labels.slice().reverse();
    var values = data.values.slice().reverse();
    return {
      textStyle: { fontFamily: font },
      animation: false,
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: labels, axisLabel: { width: 150, overflow: "truncate" } },
      series: [{
        type: "bar", name: data.series, data: num(values), itemStyle: { color: "#b02a37" },
        label: { show: true, position: "right", formatter: function (p) { return values[p.dataIndex]; } }
      }]
    };
  }

  function trend(data) {
    return {
      textStyle: { fontFamily: font },
      animation: false,
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels },
      yAxis: [
        { type: "value", scale: true, name: data.names.score },
        { type: "value", name: data.names.rank, inverse: true, minInterval: 1, min: 1, max: data.rank_max }
      ],
      series: [
        { type: "line", name: data.names.score, data: num(data.score), itemStyle: { color: "#b02a37" } },
        { type: "line", name: data.names.median, data: num(data.median), lineStyle: { type: "dashed" }, itemStyle: { color: "#6c757d" } },
        { type: "line", name: data.names.rank, yAxisIndex: 1, data: data.rank, step: "middle", itemStyle: { color: "#0d6efd" } }
      ]
    };
  }

  function histogram(data) {
    var series = [
      { type: "bar", stack: "n", name: data.names.advanced, data: data.advanced, itemStyle: { color: "#198754" } },
      { type: "bar", stack: "n", name: data.names.others, data: data.others, itemStyle: { color: "#adb5bd" } }
    ];
    if (data.cut_band !== null) {
      series[0].markLine = {
        symbol: "none", label: { formatter: data.cut_text, position: "insideEndTop" },
        lineStyle: { color: "#198754", type: "dashed" },
        data: [{ xAxis: data.labels[data.cut_band] }]
      };
    }
    return {
      textStyle: { fontFamily: font },
      animation: false,
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    };
  }

  var kinds = { bars: bars, trend: trend, histogram: histogram };
  var charts = [];

  function draw() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll(".kaohe-chart").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var build = kinds[data.kind];
      if (!build) { return; }
      var rows = data.labels.length;
      el.style.height = (data.kind === "bars" ? Math.max(160, 24 * rows + 40) : 280) + "px";
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(build(data));
      el.dataset.drawn = "1";
      charts.push(chart);
    });
  }

  function resize() { charts.forEach(function (c) { c.resize(); }); }

  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
