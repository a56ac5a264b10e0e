/* Injected by `site-builder serve` only: reload the page after a good rebuild, and show the
   problems of a failed one over the page (built with DOM APIs: the text is never parsed as HTML). */
(function () {
  "use strict";
  var token = null;
  var shown = "";
  var hidden = "";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    return e;
  }

  function clear() {
    var old = document.getElementById("serve-overlay");
    if (old) { old.parentNode.removeChild(old); }
    shown = "";
  }

  function overlay(state) {
    var key = JSON.stringify(state.errors);
    if (key === shown || key === hidden) { return; }
    clear();
    var box = el("section", "serve-overlay");
    box.id = "serve-overlay";
    box.setAttribute("role", "alert");
    box.setAttribute("aria-labelledby", "serve-overlay-title");
    var inner = el("div", "serve-overlay-box");
    var h = el("h2", "", state.title);
    h.id = "serve-overlay-title";
    inner.appendChild(h);
    inner.appendChild(el("p", "serve-overlay-note", state.note));
    var list = el("ol", "serve-overlay-list");
    state.errors.forEach(function (p) {
      var li = el("li");
      if (p.where) { li.appendChild(el("code", "serve-where", p.where)); }
      li.appendChild(el("span", "serve-text", p.text));
      list.appendChild(li);
    });
    inner.appendChild(list);
    var close = el("button", "serve-close", state.close);
    close.type = "button";
    close.addEventListener("click", function () { hidden = key; clear(); });
    inner.appendChild(close);
    box.appendChild(inner);
    document.body.appendChild(box);
    shown = key;
  }

  function poll() {
    fetch("/__reload", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (s) {
      if (token === null) { token = s.token; } else if (s.token !== token) { window.location.reload(); return; }
      if (s.errors && s.errors.length) { overlay(s); } else { clear(); hidden = ""; }
      window.setTimeout(poll, 1000);
    }).catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
