/*
 * The exam paper (exams/templates/exams/take/paper.html): autosave, timer, question map, paging,
 * flags and the hand-in confirmation.
 *
 * Autosave: every change is saved on its own (debounced; text while typing) as
 * {"item", "response", "seq"} in the option labels the examinee sees. The server ignores a save whose
 * seq is not above the one stored, so seq is a millisecond timestamp kept above the last one used in
 * this browser (localStorage): a reload never goes backwards. Failed saves retry with backoff and
 * a banner appears on the first failure; a 409 (time up, already handed in) opens the result.
 * The timer counts down from the server's remaining seconds and is re-synced after every save and
 * every minute; at zero the paper is handed in.
 */
(function () {
  "use strict";

  var root = document.getElementById("take");
  if (!root) {
    return;
  }
  var strings = JSON.parse(document.getElementById("take-strings").textContent);
  var form = document.getElementById("take-form");
  var attemptId = root.dataset.attempt;
  var saveUrl = root.dataset.saveUrl;
  var statusUrl = root.dataset.statusUrl;
  var resultUrl = root.dataset.resultUrl;
  var csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";
  var items = Array.prototype.slice.call(root.querySelectorAll(".take-item"));
  var byId = {};
  items.forEach(function (item) {
    byId[item.dataset.item] = item;
  });

  var DEBOUNCE_MS = 600;
  var RESYNC_MS = 60000;
  var MAX_BACKOFF_MS = 30000;

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function clock(date) {
    return pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
  }

  function store(key, value) {
    try {
      if (value === null) {
        window.localStorage.removeItem(key);
      } else {
        window.localStorage.setItem(key, value);
      }
    } catch (e) {
      /* private mode: flags and seq live for this page only */
    }
  }

  function recall(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  /* ---- reading an answer ---------------------------------------------------------------- */

  function responseOf(item) {
    var type = item.dataset.type;
    var name = item.dataset.name;
    var labels = JSON.parse(item.dataset.labels || "{}");
    var label = function (key) {
      return labels[key] || key;
    };
    if (type === "single") {
      var chosen = item.querySelector("input[name='" + name + "']:checked");
      return chosen ? label(chosen.value) : null;
    }
    if (type === "multiple") {
      return Array.prototype.map
        .call(item.querySelectorAll("input[name='" + name + "']:checked"), function (input) {
          return label(input.value);
        })
        .sort();
    }
    if (type === "true_false") {
      var picked = item.querySelector("input[name='" + name + "']:checked");
      return picked ? picked.value === "true" : null;
    }
    if (type === "fill_blank") {
      return Array.prototype.map.call(item.querySelectorAll(".q-blank input"), function (input) {
        return input.value;
      });
    }
    var text = item.querySelector("textarea");
    return text ? text.value : null;
  }

  function isAnswered(item) {
    var value = responseOf(item);
    if (value === null || value === undefined) {
      return false;
    }
    if (Array.isArray(value)) {
      return value.some(function (v) {
        return String(v).trim() !== "";
      });
    }
    return typeof value === "boolean" || String(value).trim() !== "";
  }

  /* ---- question map, flags, paging ------------------------------------------------------ */

  var mapCells = {};
  Array.prototype.forEach.call(root.querySelectorAll(".take-map-grid .take-map-cell"), function (cell) {
    mapCells[cell.dataset.item] = cell;
  });
  var answeredCount = document.getElementById("take-answered-count");

  function refreshMap() {
    var answered = 0;
    items.forEach(function (item) {
      var done = isAnswered(item);
      answered += done ? 1 : 0;
      mapCells[item.dataset.item].classList.toggle("is-answered", done);
      Array.prototype.forEach.call(item.querySelectorAll(".q-option"), function (option) {
        var input = option.querySelector("input");
        option.classList.toggle("is-chosen", Boolean(input && input.checked));
      });
    });
    answeredCount.textContent = String(answered);
    return answered;
  }

  function flagKey(itemId) {
    return "exam-flag:" + attemptId + ":" + itemId;
  }

  function showFlag(item, on) {
    var button = item.querySelector(".take-flag");
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? strings.unflag : strings.flag;
    item.classList.toggle("is-flagged", on);
    mapCells[item.dataset.item].classList.toggle("is-flagged", on);
  }

  items.forEach(function (item) {
    showFlag(item, recall(flagKey(item.dataset.item)) === "1");
    item.querySelector(".take-flag").addEventListener("click", function () {
      var on = !item.classList.contains("is-flagged");
      store(flagKey(item.dataset.item), on ? "1" : null);
      showFlag(item, on);
    });
  });

  // A page is one question, or one section, per the exam's layout.
  var pages =
    root.dataset.layout === "section"
      ? Array.prototype.slice.call(root.querySelectorAll(".take-section"))
      : items;
  var current = 0;
  var prev = document.getElementById("take-prev");
  var next = document.getElementById("take-next");
  var pageLabel = document.getElementById("take-page-label");
  root.classList.add("is-paged", "layout-" + root.dataset.layout);
  document.querySelector(".take-pager").hidden = pages.length < 2;

  function pageOf(item) {
    for (var i = 0; i < pages.length; i += 1) {
      if (pages[i] === item || pages[i].contains(item)) {
        return i;
      }
    }
    return 0;
  }

  function showPage(index, focusItem) {
    current = Math.max(0, Math.min(pages.length - 1, index));
    pages.forEach(function (page, i) {
      page.classList.toggle("is-current-page", i === current);
    });
    if (root.dataset.layout !== "section") {
      Array.prototype.forEach.call(root.querySelectorAll(".take-section"), function (section) {
        section.classList.toggle("is-current-page", section.contains(pages[current]));
      });
    }
    items.forEach(function (item) {
      var here = pages[current] === item || pages[current].contains(item);
      mapCells[item.dataset.item].classList.toggle("is-current", here);
      if (here) {
        mapCells[item.dataset.item].setAttribute("aria-current", "true");
      } else {
        mapCells[item.dataset.item].removeAttribute("aria-current");
      }
    });
    prev.disabled = current === 0;
    next.disabled = current === pages.length - 1;
    pageLabel.textContent = format(strings.page, { current: current + 1, total: pages.length });
    var target = focusItem || pages[current];
    if (focusItem !== undefined) {
      target.scrollIntoView({ block: "start" });
    }
  }

  prev.addEventListener("click", function () {
    showPage(current - 1, pages[current - 1]);
  });
  next.addEventListener("click", function () {
    showPage(current + 1, pages[current + 1]);
  });

  var map = document.getElementById("take-map");
  var mapToggle = document.getElementById("take-map-toggle");
  mapToggle.addEventListener("click", function () {
    var open = !map.classList.contains("is-open");
    map.classList.toggle("is-open", open);
    mapToggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
  map.addEventListener("click", function (event) {
    var cell = event.target.closest("a.take-map-cell");
    if (!cell) {
      return;
    }
    event.preventDefault();
    var item = byId[cell.dataset.item];
    map.classList.remove("is-open");
    mapToggle.setAttribute("aria-expanded", "false");
    showPage(pageOf(item), item);
    var field = item.querySelector("input, textarea");
    if (field) {
      field.focus({ preventScroll: true });
    }
  });

  /* ---- saving ------------------------------------------------------------------------------ */

  var seqKey = "exam-seq:" + attemptId;
  var lastSeq = Number(recall(seqKey)) || 0;
  var timers = {}; // item id → debounce timer
  var dirty = {}; // item id → true while a change is not stored
  var inFlight = {}; // item id → the save on the wire (a promise)
  var failures = 0;
  var retryTimer = null;
  var closed = false;
  var statusLine = document.getElementById("take-save-status");
  var banner = document.getElementById("take-banner");

  function nextSeq() {
    lastSeq = Math.max(Date.now(), lastSeq + 1);
    store(seqKey, String(lastSeq));
    return lastSeq;
  }

  function itemState(item, text) {
    item.querySelector(".take-item-state").textContent = text;
  }

  function pendingCount() {
    return Object.keys(dirty).length + Object.keys(inFlight).length;
  }

  function showBanner(text, kind) {
    banner.textContent = text;
    banner.className = "take-banner" + (kind ? " is-" + kind : "");
    banner.hidden = false;
  }

  function schedule(item, delay) {
    var id = item.dataset.item;
    dirty[id] = true;
    itemState(item, strings.unsaved);
    clearTimeout(timers[id]);
    timers[id] = setTimeout(function () {
      delete timers[id];
      save(id);
    }, delay);
  }

  function retryLater() {
    if (retryTimer || closed) {
      return;
    }
    var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, Math.min(failures, 5)));
    retryTimer = setTimeout(function () {
      retryTimer = null;
      Object.keys(dirty).forEach(save);
    }, delay);
  }

  function closedByServer(body) {
    closed = true;
    showBanner(body.error || strings.time_up, "danger");
    setTimeout(function () {
      window.location.href = body.result_url || resultUrl;
    }, 2500);
  }

  function save(id) {
    if (inFlight[id]) {
      // One save per question on the wire at a time; a newer change follows it.
      return inFlight[id].then(function () {
        return save(id);
      });
    }
    if (closed || !dirty[id]) {
      return Promise.resolve();
    }
    var item = byId[id];
    delete dirty[id];
    itemState(item, strings.saving);
    statusLine.textContent = strings.saving;
    var payload = JSON.stringify({ item: Number(id), response: responseOf(item), seq: nextSeq() });
    var request = fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: payload,
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            return { status: response.status, body: body };
          });
      })
      .then(
        function (result) {
          delete inFlight[id];
          // A 200 without a save receipt is the login page after a redirect (session ended): a failure.
          if (result.status === 200 && typeof result.body.seq === "number") {
            var at = clock(new Date(result.body.saved_at));
            itemState(item, format(strings.saved_at, { time: at }));
            if (failures > 0 && pendingCount() === 0) {
              showBanner(strings.saved_again, "success");
            }
            failures = 0;
            if (pendingCount() === 0) {
              statusLine.textContent = format(strings.all_saved, { time: at });
            }
            syncTimer(result.body.remaining_seconds);
          } else if (result.status === 409) {
            closedByServer(result.body);
          } else if (result.status === 400) {
            itemState(item, format(strings.rejected, { error: result.body.error || "" }));
            statusLine.textContent = "";
          } else {
            throw new Error("save failed: " + result.status);
          }
        }
      )
      .catch(function () {
        delete inFlight[id];
        dirty[id] = true;
        itemState(item, strings.unsaved);
        if (failures === 0) {
          showBanner(strings.save_failed, "warning");
        }
        failures += 1;
        statusLine.textContent = strings.unsaved;
        retryLater();
      })
      .then(function () {
        // A change made while this save was on the wire is saved now.
        if (dirty[id] && !timers[id] && !retryTimer) {
          return save(id);
        }
        return undefined;
      });
    inFlight[id] = request;
    return request;
  }

  function flush() {
    Object.keys(timers).forEach(function (id) {
      clearTimeout(timers[id]);
      delete timers[id];
    });
    var ids = Object.keys(dirty).concat(
      Object.keys(inFlight).filter(function (id) {
        return !dirty[id];
      })
    );
    return Promise.all(ids.map(save));
  }

  form.addEventListener("change", function (event) {
    var item = event.target.closest(".take-item");
    if (item) {
      refreshMap();
      schedule(item, event.target.type === "text" || event.target.tagName === "TEXTAREA" ? 0 : DEBOUNCE_MS);
    }
  });
  form.addEventListener("input", function (event) {
    var item = event.target.closest(".take-item");
    if (item && (event.target.type === "text" || event.target.tagName === "TEXTAREA")) {
      refreshMap();
      schedule(item, DEBOUNCE_MS);
    }
  });
  window.addEventListener("online", function () {
    if (retryTimer) {
      clearTimeout(retryTimer);
      retryTimer = null;
    }
    Object.keys(dirty).forEach(save);
  });
  window.addEventListener("beforeunload", function (event) {
    if (!closed && !handingIn && pendingCount() > 0) {
      event.preventDefault();
      event.returnValue = strings.leave;
      return strings.leave;
    }
    return undefined;
  });

  /* ---- timer ------------------------------------------------------------------------------- */

  var timerEl = document.getElementById("take-timer");
  var endsAt = Date.now() + Number(root.dataset.remaining) * 1000;
  var handingIn = false;

  function syncTimer(seconds) {
    if (typeof seconds === "number" && seconds >= 0) {
      endsAt = Date.now() + seconds * 1000;
    }
  }

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    var hours = Math.floor(left / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    timerEl.textContent = (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(left % 60);
    timerEl.dataset.seconds = String(left);
    timerEl.classList.toggle("is-low", left <= 300);
    if (left === 0 && !handingIn && !closed) {
      showBanner(strings.time_up, "danger");
      handIn();
    }
  }

  function resync() {
    if (closed || handingIn) {
      return;
    }
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (!body) {
          return;
        }
        if (body.state !== "in_progress") {
          closed = true;
          window.location.href = resultUrl;
          return;
        }
        syncTimer(body.remaining_seconds);
      })
      .catch(function () {
        /* offline: the local countdown goes on */
      });
  }

  /* ---- handing in -------------------------------------------------------------------------- */

  var dialog = document.getElementById("take-confirm");
  var openButton = document.getElementById("take-submit-open");
  var confirmButton = document.getElementById("take-confirm-submit");

  function handIn() {
    if (handingIn) {
      return;
    }
    handingIn = true;
    confirmButton.disabled = true;
    openButton.disabled = true;
    // Wait (briefly) for the last answers to reach the server, then hand in.
    var timeout = new Promise(function (resolve) {
      setTimeout(resolve, 8000);
    });
    Promise.race([flush(), timeout]).then(function () {
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  openButton.addEventListener("click", function () {
    var total = items.length;
    var missing = total - refreshMap();
    document.getElementById("take-confirm-unanswered").textContent = missing
      ? format(strings.unanswered, { count: missing, total: total })
      : format(strings.all_answered, { total: total });
    if (typeof dialog.showModal === "function") {
      dialog.showModal();
    } else if (window.confirm(document.getElementById("take-confirm-unanswered").textContent)) {
      handIn();
    }
  });
  document.getElementById("take-confirm-cancel").addEventListener("click", function () {
    dialog.close();
  });
  confirmButton.addEventListener("click", handIn);
  form.addEventListener("submit", function (event) {
    // Enter in a blank must not hand the paper in.
    event.preventDefault();
  });

  refreshMap();
  showPage(0);
  tick();
  setInterval(tick, 1000);
  setInterval(resync, RESYNC_MS);
})();
