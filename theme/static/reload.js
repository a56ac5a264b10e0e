/* Injected by `site-builder serve` only: reload the page when the site was rebuilt. */
(function () {
  "use strict";
  var token = null;
  function poll() {
    fetch("/__reload", { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (t) {
      if (token === null) { token = t; } else if (t !== token) { window.location.reload(); return; }
      window.setTimeout(poll, 1000);
    }).catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
