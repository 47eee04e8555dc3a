/* Keel's charts: draws each <div data-chart="ID"> from the JSON data island <script id="ID">.
 *
 * The data island is made by Django's json_script: {kind: "bars"|"line", labels, values, bands,
 * description}, or {kind: "indicator", values, points: [[date, value]…], shown, line: [[date, value]×2],
 * unit, names, description} for an indicator's measurements and its line from baseline to target. Charts use ECharts' SVG renderer and its aria option, which gives the chart
 * role="img" and the description as its accessible name. Every chart has a table of the same
 * figures next to it, so nothing rests on the drawing or its colours; without JavaScript the
 * table is all there is.
 */
(function () {
  "use strict";

  // The same colours as keel.css (--ok, --warn, --bad): at least 3:1 against white.
  var BAND_COLOURS = { strength: "#1d6b2f", watch: "#8a4b00", concern: "#a4161a" };
  var INK = "#1b1f24";
  var MUTED = "#4a5360";
  var LINE = "#c9ced6";
  var SIZE = 13;
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

  function colour(band) {
    return BAND_COLOURS[band] || INK;
  }

  function textWidth(text) {
    var context = (textWidth.canvas = textWidth.canvas || document.createElement("canvas")).getContext("2d");
    context.font = SIZE + "px " + FONT;
    return context.measureText(text).width;
  }

  function bars(data, element) {
    // Room on the left for the longest dimension name, measured, up to 40% of the width; a longer
    // name wraps. (ECharts' own containLabel let long names run off the edge.)
    var widest = Math.max.apply(null, data.labels.map(textWidth));
    var room = Math.ceil(Math.min(widest, element.clientWidth * 0.4 - 16));
    return {
      grid: { left: room + 16, right: 104, top: 8, bottom: 28 },
      xAxis: {
        type: "value",
        min: 1,
        max: 5,
        interval: 1,
        splitLine: { lineStyle: { color: LINE } },
        axisLabel: { color: MUTED },
      },
      yAxis: {
        type: "category",
        data: data.labels,
        inverse: true,
        axisTick: { show: false },
        axisLabel: { color: INK, width: room, overflow: "break" },
      },
      series: [
        {
          type: "bar",
          barMaxWidth: 22,
          data: data.values.map(function (value, i) {
            return { value: value, band: data.bands[i], itemStyle: { color: colour(data.bands[i]) } };
          }),
          // The band in words at the end of each bar: never colour alone.
          label: {
            show: true,
            position: "right",
            color: INK,
            formatter: function (p) {
              return p.value.toFixed(2) + " " + p.data.band;
            },
          },
        },
      ],
    };
  }

  function line(data) {
    return {
      grid: { left: 8, right: 8, top: 28, bottom: 8, containLabel: true, outerBoundsMode: "same" },
      // Points stand inside the axis, so the first and last labels are never cut.
      xAxis: { type: "category", data: data.labels, boundaryGap: true, axisLabel: { color: MUTED } },
      yAxis: {
        type: "value",
        min: 1,
        max: 5,
        interval: 1,
        splitLine: { lineStyle: { color: LINE } },
        axisLabel: { color: MUTED },
      },
      series: [
        {
          type: "line",
          symbolSize: 10,
          lineStyle: { color: INK, width: 2 },
          data: data.values.map(function (value, i) {
            return { value: value, band: data.bands[i], itemStyle: { color: colour(data.bands[i]) } };
          }),
          label: {
            show: true,
            position: "top",
            color: INK,
            formatter: function (p) {
              return p.value.toFixed(2) + " " + p.data.band;
            },
          },
        },
      ],
    };
  }

  // An indicator's measurements over time, and the dashed straight line from its baseline to its
  // target. A time axis, so that the gaps between periods and the line's slope are true to the dates.
  var TARGET = "#0b4f6c"; // --brand
  function indicator(data) {
    var names = data.names || { values: "Measurements", line: "Line from baseline to target" };
    var series = [
      {
        name: names.values,
        type: "line",
        symbolSize: 9,
        lineStyle: { color: INK, width: 2 },
        itemStyle: { color: INK },
        data: data.points,
        z: 3,
        // The value beside each point, as the table writes it (45%, £1,200), while they fit.
        label: {
          show: data.points.length <= 12,
          position: "top",
          color: INK,
          formatter: function (p) {
            return data.shown[p.dataIndex];
          },
        },
      },
    ];
    if (data.line && data.line.length) {
      series.push({
        name: names.line,
        type: "line",
        symbol: "emptyCircle",
        symbolSize: 7,
        lineStyle: { color: TARGET, width: 2, type: "dashed" },
        itemStyle: { color: TARGET },
        data: data.line,
        z: 2,
      });
    }
    return {
      grid: { left: 8, right: 48, top: 64, bottom: 8, containLabel: true, outerBoundsMode: "same" },
      legend: {
        top: 0,
        left: 0,
        textStyle: { color: INK },
        data: series.map(function (s) {
          return s.name;
        }),
      },
      xAxis: { type: "time", axisLabel: { color: MUTED, hideOverlap: true }, splitLine: { show: false } },
      yAxis: {
        type: "value",
        scale: true,
        name: data.unit || "",
        nameTextStyle: { color: MUTED, align: "left" },
        splitLine: { lineStyle: { color: LINE } },
        axisLabel: { color: MUTED },
      },
      series: series,
    };
  }

  var KINDS = { bars: bars, line: line, indicator: indicator };

  function draw(element) {
    if (element.dataset.drawn || typeof window.echarts === "undefined") return;
    var island = document.getElementById(element.dataset.chart);
    if (!island) return;
    var data = JSON.parse(island.textContent);
    var build = KINDS[data.kind];
    if (!build || !data.values || !data.values.length) return;
    if (!element.style.height) {
      var height = data.kind === "bars" ? 40 + 34 * data.values.length : data.kind === "indicator" ? 320 : 280;
      element.style.height = height + "px";
    }
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    var option = build(data, element);
    option.animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    option.textStyle = { fontFamily: FONT, color: INK, fontSize: SIZE };
    option.aria = { enabled: true, label: { description: data.description || element.getAttribute("aria-label") } };
    chart.setOption(option);
    element.dataset.drawn = "1";
    window.addEventListener("resize", function () {
      chart.resize();
      chart.setOption(build(data, element)); // the room for the names depends on the width
    });
  }

  function drawAll(root) {
    root = root || document;
    if (root.matches && root.matches("[data-chart]")) draw(root);
    root.querySelectorAll("[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      drawAll();
    });
  } else {
    drawAll();
  }
  // Content swapped in by htmx gets its charts too.
  document.addEventListener("htmx:load", function (event) {
    drawAll(event.target);
  });
})();
