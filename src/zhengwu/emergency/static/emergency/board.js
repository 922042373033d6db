/* The command board's map (应急指挥大屏): 吉林省's outline (registered as "吉林" by jilin.js), the
   areas under a live warning filled in the warning's colour (the whole province, or its city), live
   incidents coloured by level, committed resources; redrawn from board/data.json every 15 seconds.
   The list beside it is refreshed by htmx. No inline script: the page carries its first data as JSON. */
(function () {
  "use strict";
  var LEVEL_COLOURS = {"1": "#b3261e", "2": "#e36209", "3": "#d29922", "4": "#0969da"};
  var WARNING_FILLS = {red: "#f7c6c9", orange: "#fcd9b6", yellow: "#fff0a8", blue: "#cfe0fb"};
  var WARNING_ORDER = ["red", "orange", "yellow", "blue"];

  /* One fill per area: the gravest live warning covering it (a province-wide one covers every city).
     A warning names its area by the city's GB/T 2260 code, the id of the outline's feature. */
  function warningRegions(warnings, areas) {
    var worst = {};
    warnings.forEach(function (w) {
      (w.area ? [w.area] : Object.keys(areas)).forEach(function (code) {
        var now = worst[code];
        if (areas[code] && (!now || WARNING_ORDER.indexOf(w.color) < WARNING_ORDER.indexOf(now.color))) { worst[code] = w; }
      });
    });
    return Object.keys(worst).map(function (code) {
      return {name: areas[code], itemStyle: {areaColor: WARNING_FILLS[worst[code].color] || "#f3f6fa"},
        tooltip: {formatter: areas[code] + "：" + worst[code].title}};
    });
  }

  /* The outline's cities: code → the name ECharts knows the area by. */
  function mapAreas() {
    var map = echarts.getMap("吉林");
    var features = map && map.geoJSON ? map.geoJSON.features : (map && map.geoJson ? map.geoJson.features : []);
    var areas = {};
    features.forEach(function (f) { areas[String(f.id)] = f.properties.name; });
    return areas;
  }

  function option(data) {
    var incidents = data.incidents.filter(function (i) { return i.lat !== null && i.lng !== null; });
    return {
      tooltip: {trigger: "item", formatter: function (p) { return p.data && p.data.tip ? p.data.tip : p.name; }},
      geo: {map: "吉林", roam: true, itemStyle: {areaColor: "#f3f6fa", borderColor: "#8c959f"},
        label: {show: true, fontSize: 10, color: "#57606a"}, regions: warningRegions(data.warnings, mapAreas())},
      series: [
        {name: "突发事件", type: "scatter", coordinateSystem: "geo", symbolSize: 14,
          data: incidents.map(function (i) {
            var red = (i.lights.red ? "，超时任务 " + i.lights.red : "") + (i.report_light === "red" ? "，报送超时" : "");
            return {name: i.title, value: [i.lng, i.lat], tip: i.title + "（" + i.level_label + "，" + i.state_label + red + "）",
              itemStyle: {color: LEVEL_COLOURS[i.level] || "#57606a"}};
          })},
        {name: "已调用资源", type: "scatter", coordinateSystem: "geo", symbol: "diamond", symbolSize: 8,
          itemStyle: {color: "#1a7f37"},
          data: data.resources.map(function (r) { return {name: r.name, value: [r.lng, r.lat], tip: r.name}; })}
      ]
    };
  }

  function start() {
    var element = document.getElementById("board-map");
    if (!element || typeof echarts === "undefined") { return; }
    var chart = echarts.init(element);
    function draw(data) {
      chart.setOption(option(data));
      element.dataset.warned = warningRegions(data.warnings, mapAreas()).map(function (r) { return r.name; }).join(",");
    }
    draw(JSON.parse(document.getElementById(element.dataset.source).textContent));
    element.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
    setInterval(function () {
      fetch(element.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { draw(data); element.dataset.at = data.at; } })
        .catch(function () { /* the next tick tries again */ });
    }, 15000);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
