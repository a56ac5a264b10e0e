/* site-builder: progressive enhancement only. Every page works without it. */
(function () {
  "use strict";
  var KEY = "sb-font-size";

  function remember() {
    var radios = document.querySelectorAll("input.fs-radio");
    var saved = null;
    try { saved = window.localStorage.getItem(KEY); } catch (e) { saved = null; }
    for (var i = 0; i < radios.length; i++) {
      if (saved && radios[i].value === saved) { radios[i].checked = true; }
      radios[i].addEventListener("change", function (ev) {
        try { window.localStorage.setItem(KEY, ev.target.value); } catch (e) { /* private mode */ }
      });
    }
  }

  function normal(s) { return (s || "").replace(/\s+/g, "").toLowerCase(); }

  function search() {
    var form = document.querySelector("form.search");
    var input = document.getElementById("unit-search");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!form || !input || !list || !window.SB_UNITS) { return; }
    var root = form.getAttribute("data-root") || "";
    var noneText = form.getAttribute("data-none") || "";
    var countText = form.getAttribute("data-count") || "";

    function show() {
      var q = normal(input.value);
      while (list.firstChild) { list.removeChild(list.firstChild); }
      if (q.length < 2) { status.textContent = ""; return; }
      var hits = window.SB_UNITS.filter(function (u) {
        var names = [u.n].concat(u.a || []);
        return names.some(function (n) { return normal(n).indexOf(q) !== -1; });
      });
      status.textContent = hits.length ? countText.replace("{n}", String(hits.length)) : noneText.replace("{q}", input.value.trim());
      hits.slice(0, 30).forEach(function (u) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = root + u.u;
        a.textContent = u.n + (u.a && u.a.length ? "（" + u.a.join("、") + "）" : "");
        li.appendChild(a);
        list.appendChild(li);
      });
    }

    input.addEventListener("input", show);
    form.addEventListener("submit", function (ev) {
      var first = list.querySelector("a");
      if (first) { ev.preventDefault(); window.location.href = first.href; }
    });
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) { input.value = params.get("q"); show(); }
  }

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () { remember(); search(); });
})();
