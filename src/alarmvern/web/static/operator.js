// The operator console, live: the queue and an open incident follow the server's change
// stream (server-sent events) and refetch themselves (the queue whole, an incident only the
// parts that change, which is no new audited look); a new alarm is announced to screen
// readers and with a sound that can be turned off. Without JavaScript the pages still work
// (reload by hand).
(function () {
  "use strict";
  var root = document.querySelector("[data-stream]");
  if (!root || !window.EventSource) { return; }
  var state = document.getElementById("live-state");
  var announce = document.getElementById("live-announce");
  var toggle = document.getElementById("sound-toggle");
  var soundOn = window.localStorage.getItem("alarmvern-sound") !== "off";
  var seen = kinds(root);
  var version = null;
  var busy = false;
  var leaving = false;  // a form is on its way: its answer is the next page, not a refresh

  function kinds(element) {
    var found = {};
    (element.dataset.kinds || "").split("|").forEach(function (part) {
      var at = part.indexOf(":");
      if (at > 0) { found[part.slice(0, at)] = part.slice(at + 1); }
    });
    return found;
  }

  function showSound() {
    toggle.hidden = false;
    toggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
    toggle.textContent = soundOn ? toggle.dataset.on : toggle.dataset.off;
  }

  function beep() {
    if (!soundOn) { return; }
    try {
      var Audio = window.AudioContext || window.webkitAudioContext;
      var ctx = new Audio();
      var tone = ctx.createOscillator();
      var gain = ctx.createGain();
      tone.frequency.value = 880;
      gain.gain.value = 0.2;
      tone.connect(gain);
      gain.connect(ctx.destination);
      tone.start();
      tone.stop(ctx.currentTime + 0.4);
    } catch (e) { /* no audio here: the announcement still goes out */ }
  }

  function typing() {
    var active = document.activeElement;
    return active && root.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName) &&
      active.value !== "" && active.type !== "hidden";
  }

  function refresh() {
    if (busy || leaving || typing()) { return; }
    busy = true;
    var parts = root.dataset.parts;  // an incident: only the parts that change
    fetch(parts || window.location.href,
          { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (parts) { patch(doc.getElementById("live-parts")); } else { replace(doc); }
      })
      .catch(function () { /* the next change tries again */ })
      .then(function () { busy = false; });
  }

  // The queue: the whole list again (reading it is no look at anyone's data).
  function replace(doc) {
    var fresh = doc.getElementById(root.id);
    if (!fresh) { return; }
    root.innerHTML = fresh.innerHTML;
    root.dataset.kinds = fresh.dataset.kinds || "";
    var now = kinds(root);
    var added = Object.keys(now).filter(function (id) { return !(id in seen); });
    if (added.length) {
      announce.textContent = announce.dataset.new + ": " +
        added.map(function (id) { return now[id] + " (" + id + ")"; }).join("; ");
      beep();
    }
    seen = now;
    tick();
  }

  // An incident: each changed part in its place. Where what the page offers changed (the
  // operator took it, lost it, or it closed), the page is loaded anew.
  function patch(fresh) {
    if (!fresh) { return; }
    if (fresh.dataset.state !== root.dataset.state) { window.location.reload(); return; }
    Array.prototype.forEach.call(fresh.querySelectorAll("[id^='live-']"), function (part) {
      var old = document.getElementById(part.id);
      if (old && old.innerHTML !== part.innerHTML) { old.innerHTML = part.innerHTML; }
    });
    // The refresh names no contact: the names are the page's own, from its contact list.
    document.querySelectorAll("#live-steps [data-person]").forEach(function (el) {
      var name = document.querySelector(".contacts li[data-person='" +
        el.getAttribute("data-person") + "'] strong");
      if (name) { el.textContent = name.textContent; }
    });
    tick();
  }

  function waited(since) {
    var seconds = Math.max(0, Math.floor((Date.now() - since) / 1000));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    var mm = (m < 10 ? "0" : "") + m, ss = (s < 10 ? "0" : "") + s;
    return h ? h + " " + ((state && state.dataset.hour) || "t") + " " + mm + " min" : mm + ":" + ss;
  }

  function tick() {
    document.querySelectorAll("time.waiting").forEach(function (el) {
      var since = Date.parse(el.getAttribute("datetime"));
      if (!isNaN(since)) { el.textContent = waited(since); }
    });
  }

  if (toggle) {
    showSound();
    toggle.addEventListener("click", function () {
      soundOn = !soundOn;
      window.localStorage.setItem("alarmvern-sound", soundOn ? "on" : "off");
      showSound();
    });
  }
  var source = new EventSource(root.dataset.stream);
  // On the window, so that a form whose sending was called off (app.js's confirm) is known.
  window.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    leaving = true;  // a reload now would call off the form being sent (closing, a step done)
    source.close();
  });
  source.addEventListener("open", function () { state.textContent = state.dataset.on; });
  source.addEventListener("error", function () { state.textContent = state.dataset.off; });
  source.addEventListener("change", function (event) {
    if (version !== null && event.data !== version) { refresh(); }
    version = event.data;
  });
  tick();
  window.setInterval(tick, 1000);
})();
