// The 72-hour clock on the DPO's breach pages: each <time data-deadline> counts down each
// second from the time the server rendered; past the deadline it counts up, marked overdue.
(function () {
  "use strict";
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-deadline]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.deadline) - now) / 1000);
      var over = left < 0;
      var s = Math.abs(left);
      var text = Math.floor(s / 3600) + " t " + String(Math.floor((s % 3600) / 60)).padStart(2, "0") +
        " min " + String(s % 60).padStart(2, "0") + " s";
      el.textContent = over ? (el.dataset.overdue || "over fristen") + " " + text : text;
      el.classList.toggle("overdue", over);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
