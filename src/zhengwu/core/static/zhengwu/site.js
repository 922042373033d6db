/* zhengwu — small behaviours of the page frame (docs/design.md "页面结构"). Everything works
   without this file: the menus are <details> elements; this only makes them tidier.
   - The workbench menu groups: opening one closes the others; Escape or a click elsewhere closes them.
   - `details[data-wide-open]` (e.g. the disclosure categories) starts open on a wide screen and
     closed on a phone; browsers without ::details-content get the header menu opened on a wide screen. */
(function () {
  "use strict";
  var WIDE = "(min-width: 900px)";

  function groups() { return document.querySelectorAll("details[data-menu-group]"); }

  function closeGroups(except) {
    groups().forEach(function (g) { if (g !== except) { g.removeAttribute("open"); } });
  }

  function wideOpen() {
    var wide = window.matchMedia(WIDE).matches;
    document.querySelectorAll("details[data-wide-open]").forEach(function (d) {
      if (wide) { d.setAttribute("open", ""); } else { d.removeAttribute("open"); }
    });
    var supported = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
    if (!supported && wide) {
      document.querySelectorAll("details[data-menu]").forEach(function (d) { d.setAttribute("open", ""); });
    }
  }

  /* A table wider than its frame scrolls inside it: the keyboard must be able to reach it to scroll
     it (a scrollable region is focusable), so it gets a tab stop and is named by its caption. */
  function scrollableTables() {
    document.querySelectorAll("table.data, .table-scroll").forEach(function (t) {
      if (t.scrollWidth > t.clientWidth + 1) {
        t.setAttribute("tabindex", "0");
      } else if (t.getAttribute("tabindex") === "0") {
        t.removeAttribute("tabindex");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wideOpen();
    scrollableTables();
    window.addEventListener("resize", scrollableTables);
    groups().forEach(function (g) {
      g.addEventListener("toggle", function () { if (g.open && window.matchMedia(WIDE).matches) { closeGroups(g); } });
    });
    document.addEventListener("click", function (event) {
      if (!window.matchMedia(WIDE).matches) { return; }
      var inside = event.target.closest && event.target.closest("details[data-menu-group]");
      closeGroups(inside);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var open = document.querySelector("details[data-menu-group][open]");
      if (open) { open.removeAttribute("open"); open.querySelector("summary").focus(); }
    });
  });
})();
