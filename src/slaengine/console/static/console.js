// slaengine console: live countdowns, and a fresh copy of the page when the store changes.
// No library: the page is complete HTML without this script; this only keeps it current.
(function () {
  "use strict";
  var zh = document.body.dataset.lang === "zh";
  var units = zh ? [[86400, "天"], [3600, "小时"], [60, "分钟"], [1, "秒"]]
                 : [[86400, "d"], [3600, "h"], [60, "min"], [1, "s"]];

  function words(seconds) {
    var rest = Math.max(0, Math.floor(seconds)), parts = [];
    if (rest >= 3600) { rest -= rest % 60; }
    units.forEach(function (u) {
      var n = Math.floor(rest / u[0]);
      if (n) { parts.push(zh ? n + u[1] : n + " " + u[1]); rest -= n * u[0]; }
    });
    if (!parts.length) { return zh ? "0秒" : "0 s"; }
    return parts.join(zh ? "" : " ");
  }

  var refreshSoon = null;
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (cell) {
      var left = (Date.parse(cell.dataset.countdown) - now) / 1000;
      var row = cell.closest("tr");
      if (left > 0) {
        cell.textContent = words(Math.ceil(left));
      } else {
        // Past the deadline: the service records the breach at once; show it meanwhile.
        cell.textContent = "+" + words(-left);
        cell.classList.add("late");
        if (row) { row.classList.add("overdue"); }
        if (!refreshSoon) { refreshSoon = setTimeout(refresh, 700); }
      }
    });
    document.querySelectorAll("[data-late-since]").forEach(function (cell) {
      cell.textContent = "+" + words((now - Date.parse(cell.dataset.lateSince)) / 1000);
    });
  }

  ["input", "change"].forEach(function (kind) {
    document.addEventListener(kind, function (event) {
      var form = event.target && event.target.form;
      if (form && form.method === "post") { form.dataset.filled = "1"; }
    });
  });

  var busy = false, again = false;
  function refresh() {
    refreshSoon = null;
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, {headers: {"Accept": "text/html"}, credentials: "same-origin"})
      .then(function (r) {
        if (r.redirected && r.url.indexOf("/login") >= 0) { location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
        var here = document.getElementById("live");
        var focused = document.activeElement;
        // not while someone types, nor over a form filled in but not sent (a dispute's reason
        // and chosen evidence files would be lost)
        var typing = focused && here && here.contains(focused) &&
          /^(INPUT|TEXTAREA|SELECT)$/.test(focused.tagName);
        var filled = here && here.querySelector("form[data-filled]");
        if (fresh && here && !typing && !filled) {
          here.replaceWith(fresh);
          tick();
        }
      })
      .finally(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  if (document.body.dataset.live === "on" && window.EventSource) {
    var pulse = document.getElementById("pulse");
    var source = new EventSource("/live");
    source.addEventListener("open", function () { if (pulse) { pulse.className = "pulse on"; } });
    source.addEventListener("error", function () { if (pulse) { pulse.className = "pulse"; } });
    source.addEventListener("change", refresh);
  }
  tick();
  setInterval(tick, 1000);
})();
