// belm site behaviour: before/after sliders, click-to-zoom, sortable tables, BibTeX copy, theme toggle.
// Plain DOM code with no dependencies; everything degrades to a static page without JavaScript.
(function () {
  "use strict";

  // Before/after sliders: the range input moves the clip edge of the "after" image.
  function setUpSliders() {
    document.querySelectorAll(".compare").forEach(function (box) {
      var input = box.querySelector("input[type=range]");
      if (!input) return;
      var update = function () { box.style.setProperty("--pos", input.value + "%"); };
      input.addEventListener("input", update);
      update();
    });
  }

  // Click-to-zoom: a full-window view of the image, still without smoothing; click or Escape closes it.
  function setUpZoom() {
    document.addEventListener("click", function (event) {
      var img = event.target.closest ? event.target.closest("img.zoomable") : null;
      if (!img || event.target.closest(".compare input")) return;
      var box = document.createElement("div");
      box.className = "lightbox";
      box.setAttribute("role", "dialog");
      var big = document.createElement("img");
      big.src = img.src;
      big.alt = img.alt;
      var scale = Math.max(1, Math.floor(Math.min(window.innerWidth * 0.9 / img.naturalWidth, window.innerHeight * 0.8 / img.naturalHeight)));
      big.width = img.naturalWidth * scale;
      big.height = img.naturalHeight * scale;
      var caption = document.createElement("p");
      caption.textContent = img.alt + " (" + img.naturalWidth + "×" + img.naturalHeight + ", shown ×" + scale + ")";
      box.appendChild(big);
      box.appendChild(caption);
      var close = function () { box.remove(); document.removeEventListener("keydown", onKey); };
      var onKey = function (e) { if (e.key === "Escape") close(); };
      box.addEventListener("click", close);
      document.addEventListener("keydown", onKey);
      document.body.appendChild(box);
    });
  }

  // Sortable tables: click a heading to sort by that column; numbers sort by their data-value.
  function setUpSorting() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var headers = table.querySelectorAll("thead th");
      headers.forEach(function (th, column) {
        th.tabIndex = 0;
        var sort = function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var numeric = th.getAttribute("data-sort") === "number";
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          var key = function (row) {
            var cell = row.cells[column];
            if (!cell) return numeric ? Infinity : "";
            var raw = cell.getAttribute("data-value");
            if (numeric) { var n = parseFloat(raw !== null ? raw : cell.textContent); return isNaN(n) ? Infinity : n; }
            return cell.textContent.trim().toLowerCase();
          };
          rows.sort(function (a, b) {
            var x = key(a), y = key(b);
            var order = x < y ? -1 : x > y ? 1 : 0;
            return ascending ? order : -order;
          });
          rows.forEach(function (row) { body.appendChild(row); });
        };
        th.addEventListener("click", function (event) { if (event.target.tagName !== "A") sort(); });
        th.addEventListener("keydown", function (event) { if (event.key === "Enter") sort(); });
      });
    });
  }

  // Copy buttons (the BibTeX box): the clipboard API where allowed, a selection copy elsewhere (file://).
  function setUpCopy() {
    document.querySelectorAll("button.copy").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-copy-target"));
        if (!target) return;
        var text = target.textContent;
        var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 1500); };
        var fallback = function () {
          var range = document.createRange();
          range.selectNodeContents(target);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          try { document.execCommand("copy"); done(); } catch (e) { button.textContent = "Press Ctrl+C"; }
        };
        if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
        else fallback();
      });
    });
  }

  // Theme: follows the system unless the reader picked one with the ◐ button.
  function setUpTheme() {
    var root = document.documentElement;
    try { var saved = localStorage.getItem("belm-theme"); if (saved) root.setAttribute("data-theme", saved); } catch (e) {}
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    button.addEventListener("click", function () {
      var current = root.getAttribute("data-theme") ||
        (window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
      var next = current === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("belm-theme", next); } catch (e) {}
    });
  }

  function start() { setUpTheme(); setUpSliders(); setUpZoom(); setUpSorting(); setUpCopy(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
