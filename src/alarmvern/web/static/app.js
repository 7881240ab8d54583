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
