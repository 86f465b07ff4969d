/*
 * Self-check lists on lesson pages: ticks are kept in this browser (localStorage), one entry per
 * lesson and checklist block, and an "x/y done" count is updated as items are ticked.
 * Nothing is sent to the server; without storage (private mode) the count still works.
 */
(function () {
  "use strict";

  function load(key) {
    try {
      var raw = window.localStorage.getItem(key);
      var ids = raw ? JSON.parse(raw) : [];
      return Array.isArray(ids) ? ids : [];
    } catch (e) {
      return [];
    }
  }

  function save(key, ids) {
    try {
      if (ids.length) {
        window.localStorage.setItem(key, JSON.stringify(ids));
      } else {
        window.localStorage.removeItem(key);
      }
    } catch (e) {
      /* storage full or disabled: ticks last until the page is left */
    }
  }

  function setUp(list) {
    var key = list.getAttribute("data-storage-key");
    var boxes = Array.prototype.slice.call(list.querySelectorAll("input[data-item-id]"));
    var done = list.querySelector("[data-checklist-done]");
    var total = list.querySelector("[data-checklist-total]");
    var actions = list.querySelector("[data-checklist-actions]");
    var reset = list.querySelector("[data-checklist-reset]");
    var saved = load(key);

    function update() {
      var ticked = boxes.filter(function (box) { return box.checked; });
      done.textContent = String(ticked.length);
      total.textContent = String(boxes.length);
      list.classList.toggle("is-complete", boxes.length > 0 && ticked.length === boxes.length);
      boxes.forEach(function (box) {
        box.closest(".checklist-item").classList.toggle("is-checked", box.checked);
      });
      save(key, ticked.map(function (box) { return box.getAttribute("data-item-id"); }));
    }

    boxes.forEach(function (box) {
      box.checked = saved.indexOf(box.getAttribute("data-item-id")) !== -1;
      box.addEventListener("change", update);
    });
    if (reset) {
      reset.addEventListener("click", function () {
        boxes.forEach(function (box) { box.checked = false; });
        update();
      });
    }
    if (actions) {
      actions.hidden = false;
    }
    update();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-checklist]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
