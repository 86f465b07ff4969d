/*
 * Lesson pages: counts down the seconds until the lesson may be marked learned and keeps the
 * button disabled until then. The server decides (it refuses an early click with the seconds
 * left); this only saves officers a refused click. Without JavaScript the button stays enabled.
 */
(function () {
  "use strict";

  function start(form) {
    var left = parseInt(form.getAttribute("data-seconds-left"), 10) || 0;
    var button = form.querySelector("[data-mark-learned]");
    var countdown = form.querySelector("[data-countdown]");
    var seconds = form.querySelector("[data-seconds]");
    var ready = form.querySelector("[data-ready]");
    if (!button || left <= 0) {
      return;
    }
    var until = Date.now() + left * 1000;
    button.disabled = true;

    function tick() {
      var remaining = Math.ceil((until - Date.now()) / 1000);
      if (remaining > 0) {
        if (seconds) {
          seconds.textContent = String(remaining);
        }
        window.setTimeout(tick, 250);
        return;
      }
      button.disabled = false;
      if (countdown) {
        countdown.hidden = true;
      }
      if (ready) {
        ready.hidden = false;
      }
    }
    tick();
  }

  function init() {
    var forms = document.querySelectorAll("form[data-seconds-left]");
    for (var i = 0; i < forms.length; i++) {
      start(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
