// A little help where it helps; every page works without it.
// Forms marked data-confirm ask before they are sent (closing an incident, erasing, releasing).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm) {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }
});

// A page showing work in progress (a package being made) looks again after a moment.
(function () {
  var waiting = document.querySelector("[data-reload-after]");
  if (waiting) {
    var after = parseInt(waiting.getAttribute("data-reload-after"), 10) || 2000;
    window.setTimeout(function () { window.location.replace(window.location.pathname); }, after);
  }
})();
