/* Charts of the workbench and portal pages, drawn with ECharts from data the page carries as JSON
   (Django's json_script). No inline script anywhere: the Content-Security-Policy allows scripts from
   this site only. Each chart element names its renderer and its data:
     <div class="chart" data-chart="lights" data-source="sv-chart-data" role="img" aria-label="…"></div> */
(function () {
  "use strict";

  function data(element) {
    return JSON.parse(document.getElementById(element.dataset.source).textContent);
  }

  function bars(categories, series, yName, rotate) {
    return {
      tooltip: {trigger: "axis"}, legend: {}, grid: {bottom: rotate > 30 ? 130 : 60, left: 50, right: 10},
      xAxis: {type: "category", data: categories, axisLabel: {interval: 0, rotate: rotate, fontSize: 11}},
      yAxis: {type: "value", name: yName, minInterval: 1},
      series: series.map(function (s) {
        return {name: s[0], type: "bar", data: s[1], stack: s[3], itemStyle: s[2] ? {color: s[2]} : undefined};
      })
    };
  }

  var renderers = {
    // 信息系统清单: a system's calls per month, as a sparkline (list) or bars (its page)
    sparkline: function (d) {
      return {grid: {left: 0, right: 0, top: 2, bottom: 2}, tooltip: {trigger: "axis"},
        xAxis: {type: "category", data: d.labels, show: false}, yAxis: {type: "value", show: false, minInterval: 1},
        series: [{name: "调用次数", type: "line", data: d.values, symbol: "none", areaStyle: {opacity: .25}}]};
    },
    systemCalls: function (d) {
      var option = bars(d.labels, [[d.name, d.values]], "次数", 30);
      option.legend = undefined;
      return option;
    },
    // 信息系统清单总览: systems and O&M cost per department; systems by state; zombie reviews by state
    inventoryDepartments: function (d) {
      var option = bars(d.departments, [["系统数", d.counts]], "个", 40);
      option.yAxis = [{type: "value", name: "个", minInterval: 1}, {type: "value", name: "万元"}];
      option.grid.right = 60;
      option.series.push({name: "年度运维费用（万元）", type: "line", yAxisIndex: 1, data: d.om});
      return option;
    },
    inventoryStates: function (d) {
      return {tooltip: {trigger: "item"}, legend: {bottom: 0},
        series: [{name: "生命周期状态", type: "pie", radius: "55%", data: d.states}]};
    },
    inventoryZombies: function (d) {
      return {tooltip: {trigger: "item"}, legend: {bottom: 0},
        series: [{name: "僵尸系统核查", type: "pie", radius: ["35%", "55%"], data: d.zombies}]};
    },
    // 电子监察: live timers per department by light, stacked
    lights: function (d) {
      return bars(d.departments, [["红灯", d.red, "#b3261e", "l"], ["黄灯", d.yellow, "#d29922", "l"],
        ["绿灯", d.green, "#1a7f37", "l"], ["暂停", d.paused, "#57606a", "l"]], "件数", 60);
    },
    // 电子监察: live timers by kind
    kinds: function (d) {
      return {tooltip: {trigger: "item"}, series: [{name: "计时类型", type: "pie", radius: "60%", data: d.kinds}]};
    },
    // 绩效评分
    scorecards: function (d) {
      return bars(d.departments, [["按时办结率", d.on_time_rate], ["用时占承诺时限", d.used_ratio],
        ["满意度", d.satisfaction]], "%", 60);
    },
    // 共享统计
    sharing: function (d) {
      return bars(d.departments, [["提供资源", d.provided], ["被调用次数", d.used], ["答复申请", d.answered],
        ["按时答复", d.on_time], ["收到纠错", d.objections]], "次数/个数", 20);
    },
    // 公文统计: documents issued and received per month
    documents_months: function (d) {
      return bars(d.months, [["发文", d.sent, "#b3261e"], ["收文", d.received, "#0969da"]], "件数", 0);
    },
    // 公文统计: per recipient unit, deliveries (bars) and the average time to sign (line, right axis)
    documents_units: function (d) {
      var option = bars(d.units, [["送达", d.delivered], ["已签收", d.signed, "#1a7f37"],
        ["退回", d.returned, "#d29922"]], "件数", 30);
      option.yAxis = [option.yAxis, {type: "value", name: "小时", position: "right"}];
      option.series.push({name: "平均签收用时（小时）", type: "line", yAxisIndex: 1, data: d.hours});
      return option;
    },
    // 考核评估: each department's total, highest first
    // 考核排名: one horizontal bar a department, first on top, so that every name reads on a phone
    evaluation: function (d, element) {
      element.style.height = Math.max(240, d.departments.length * 22 + 50) + "px";
      return {animation: false,  // a printed or captured page shows the final figures
        tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
        grid: {left: 8, right: 48, top: 24, bottom: 8, containLabel: true},
        xAxis: {type: "value", name: "分", position: "top"},
        yAxis: {type: "category", inverse: true, data: d.departments,
          axisLabel: {width: 150, overflow: "truncate", interval: 0}},
        series: [{name: "总分", type: "bar", data: d.totals, itemStyle: {color: "#1f5fa8"},
          label: {show: true, position: "right"}}]};
    },
    // 考核评估: each department's total per year
    evaluation_years: function (d) {
      return {tooltip: {trigger: "axis"}, legend: {type: "scroll"}, grid: {left: 50, right: 10},
        xAxis: {type: "category", data: d.years}, yAxis: {type: "value", name: "总分"},
        series: d.series.map(function (s) { return {name: s[0], type: "line", data: s[1]}; })};
    },
    // 问卷结果: one chart per question (data-question names it)
    survey: function (d, element) {
      var q = d.questions.filter(function (q) { return String(q.id) === element.dataset.question; })[0];
      if (!q || !q.labels) { return null; }
      var option = bars(q.labels, [["人数", q.counts]], "人数", 0);
      option.legend = undefined;
      option.series[0].label = {show: true, position: "top"};
      return option;
    }
  };

  function draw() {
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var option = renderers[element.dataset.chart](data(element), element);
      if (option) { echarts.init(element).setOption(option); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
