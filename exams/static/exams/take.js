/*
 * The exam paper (exams/templates/exams/take/paper.html): autosave, timer, question map, paging,
 * flags, the hand-in confirmation, and the exam-day signals (status poll, focus losses, copying).
 *
 * Autosave: every change is saved on its own (debounced; text while typing) as
 * {"item", "response", "seq"} in the option labels the examinee sees. The server ignores a save whose
 * seq is not above the one stored, so seq is a millisecond timestamp kept above the last one used in
 * this browser (localStorage): a reload never goes backwards. Failed saves retry with backoff and
 * a banner appears on the first failure; a 409 (time up, already handed in) opens the result.
 * A 409 with a code (paused, taken_over, network) is held, not lost: the answer stays on the page
 * and in localStorage until it is stored, and is saved again once the reason clears (the clock
 * restarts, the examinee takes the paper back, the network returns). A reload puts answers kept
 * in localStorage back on the paper and saves them.
 *
 * Status poll (every data-poll-seconds; skipped while saves are acknowledged, at most two in a
 * row, see pollLoop): the timer follows the server's remaining seconds (time
 * added, accommodations); a stopped clock freezes the timer and disables the answers until it
 * restarts; room messages are listed (the last id shown goes back as ?after=); another device
 * holding the paper disables it and offers to take it back; a finished attempt opens the result.
 * At zero the page asks the server once more before handing in, so time added at the last moment
 * is not lost.
 *
 * Focus losses (when the exam records them): window blur, tab hidden and leaving full screen are
 * reported to the server. One action often fires several of these (switching tabs fires blur and
 * visibilitychange, in either order), so events within FOCUS_QUIET_MS of a report count once; a
 * hidden tab is reported at once (timers are throttled in hidden tabs), a blur waits
 * FOCUS_GATHER_MS to see whether it turns into a hidden tab. The server counts, warns and may hand
 * the paper in; the page shows its warning and follows it.
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
  var eventUrl = root.dataset.eventUrl;
  var trackFocus = root.dataset.trackFocus === "1";
  var preventCopy = root.dataset.preventCopy === "1";
  var pollMs = Math.max(1, Number(root.dataset.pollSeconds) || 10) * 1000;
  var csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";
  var items = Array.prototype.slice.call(root.querySelectorAll(".take-item"));
  var byId = {};
  items.forEach(function (item) {
    byId[item.dataset.item] = item;
  });

  var DEBOUNCE_MS = 600;
  var MAX_BACKOFF_MS = 30000;
  var FOCUS_GATHER_MS = 400;
  var FOCUS_QUIET_MS = 1000;

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
  var paused = false; // the invigilator stopped the clock
  var takenOver = false; // another device holds the paper
  var leaving = false; // navigating away on purpose (taking the paper back)
  var statusLine = document.getElementById("take-save-status");
  var banner = document.getElementById("take-banner");

  function nextSeq() {
    lastSeq = Math.max(Date.now(), lastSeq + 1);
    store(seqKey, String(lastSeq));
    return lastSeq;
  }

  /* An answer not yet stored is also kept in localStorage, as the state of its inputs in page
   * order, so a reload (or taking the paper back after another device held it) loses nothing. */
  function keptKey(id) {
    return "exam-kept:" + attemptId + ":" + id;
  }

  function fieldsOf(item) {
    return Array.prototype.slice.call(item.querySelectorAll("input, textarea"));
  }

  function keep(item) {
    // The time of the change goes with it: the paper taken back from another device must not
    // overwrite a newer answer that device stored (see restoreKept).
    store(
      keptKey(item.dataset.item),
      JSON.stringify({
        at: Date.now(),
        fields: fieldsOf(item).map(function (field) {
          return field.type === "radio" || field.type === "checkbox" ? field.checked : field.value;
        }),
      })
    );
  }

  function restoreKept() {
    items.forEach(function (item) {
      var kept = null;
      try {
        kept = JSON.parse(recall(keptKey(item.dataset.item)) || "null");
      } catch (e) {
        kept = null;
      }
      var fields = fieldsOf(item);
      if (!kept || !Array.isArray(kept.fields) || kept.fields.length !== fields.length) {
        return;
      }
      // The server stored a save of this question made after the change kept here (on another
      // device, whose saves are numbered by the same clock): the stored answer is the newer one.
      if (!(kept.at > (Number(item.dataset.seq) || 0))) {
        store(keptKey(item.dataset.item), null);
        return;
      }
      fields.forEach(function (field, i) {
        if (field.type === "radio" || field.type === "checkbox") {
          field.checked = kept.fields[i] === true;
        } else {
          field.value = typeof kept.fields[i] === "string" ? kept.fields[i] : "";
        }
      });
      schedule(item, 0);
    });
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
    keep(item);
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

  function held(item, body) {
    itemState(item, format(strings.held, { error: body.error || "" }));
    statusLine.textContent = strings.unsaved;
    if (body.code === "paused") {
      setPaused(true);
    } else if (body.code === "taken_over") {
      setTakenOver();
    } else {
      showBanner(body.error || strings.save_failed, "warning");
      failures += 1;
      retryLater();
    }
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
    if (paused || takenOver) {
      // Held until the clock restarts or the paper is taken back; kept meanwhile.
      return Promise.resolve();
    }
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
            if (!dirty[id] && !timers[id]) {
              store(keptKey(id), null);
            }
            if (failures > 0 && pendingCount() === 0) {
              showBanner(strings.saved_again, "success");
            }
            failures = 0;
            if (pendingCount() === 0) {
              statusLine.textContent = format(strings.all_saved, { time: at });
            }
            syncTimer(result.body.remaining_seconds);
            savedSincePoll = true;
          } else if (result.status === 409 && result.body.code) {
            dirty[id] = true;
            held(item, result.body);
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
    if (!closed && !handingIn && !leaving && pendingCount() > 0) {
      event.preventDefault();
      event.returnValue = strings.leave;
      return strings.leave;
    }
    return undefined;
  });

  /* ---- timer ------------------------------------------------------------------------------- */

  var timerEl = document.getElementById("take-timer");
  var endsAt = Date.now() + Number(root.dataset.remaining) * 1000;
  var frozenLeft = null; // seconds left while the clock is stopped
  var handingIn = false;
  var checkingTime = false;

  function secondsLeft() {
    if (frozenLeft !== null) {
      return frozenLeft;
    }
    return Math.max(0, Math.round((endsAt - Date.now()) / 1000));
  }

  function syncTimer(seconds) {
    if (typeof seconds === "number" && seconds >= 0) {
      if (paused) {
        frozenLeft = seconds;
      } else {
        endsAt = Date.now() + seconds * 1000;
      }
    }
  }

  function tick() {
    var left = secondsLeft();
    var hours = Math.floor(left / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    timerEl.textContent = (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(left % 60);
    timerEl.dataset.seconds = String(left);
    timerEl.classList.toggle("is-low", left <= 300);
    timerEl.classList.toggle("is-stopped", paused);
    if (left === 0 && !paused && !takenOver && !handingIn && !closed && !checkingTime) {
      // Time added at the last moment may not have reached the page yet: ask once more.
      checkingTime = true;
      poll().then(function () {
        checkingTime = false;
        if (secondsLeft() === 0 && !paused && !takenOver && !handingIn && !closed) {
          showBanner(strings.time_up, "danger");
          handIn();
        }
      });
    }
  }

  /* ---- held paper: a stopped clock, another device ------------------------------------------ */

  var hold = document.getElementById("take-hold");
  var holdTitle = document.getElementById("take-hold-title");
  var holdText = document.getElementById("take-hold-text");
  var takeBack = document.getElementById("take-hold-takeover");

  function disableAnswers(on) {
    root.classList.toggle("is-held", on);
    Array.prototype.forEach.call(form.querySelectorAll(".take-item input, .take-item textarea"), function (field) {
      field.disabled = on;
    });
    document.getElementById("take-submit-open").disabled = on || handingIn;
  }

  function showHold(title, text, offerTakeBack) {
    holdTitle.textContent = title;
    holdText.textContent = text;
    takeBack.hidden = !offerTakeBack;
    hold.classList.toggle("is-taken-over", offerTakeBack);
    hold.hidden = false;
  }

  function setPaused(on, seconds) {
    if (on && !paused) {
      frozenLeft = typeof seconds === "number" ? seconds : secondsLeft();
      paused = true;
      if (!takenOver) {
        showHold(strings.paused_title, strings.paused_text, false);
      }
      disableAnswers(true);
      tick();
    } else if (!on && paused) {
      paused = false;
      endsAt = Date.now() + (typeof seconds === "number" ? seconds : frozenLeft) * 1000;
      frozenLeft = null;
      if (!takenOver) {
        hold.hidden = true;
        disableAnswers(false);
        showBanner(strings.resumed, "success");
        Object.keys(dirty).forEach(save);
      }
      tick();
    }
  }

  function setTakenOver() {
    if (takenOver) {
      return;
    }
    takenOver = true;
    showHold(strings.taken_title, strings.taken_text, true);
    disableAnswers(true);
  }

  takeBack.addEventListener("submit", function () {
    // Answers not stored are kept in localStorage and saved from the reloaded paper.
    leaving = true;
  });

  /* ---- room messages ------------------------------------------------------------------------- */

  var messageBox = document.getElementById("take-messages");
  var messageList = document.getElementById("take-messages-list");
  var lastMessage = 0;

  function showMessages(list) {
    list.forEach(function (message) {
      if (typeof message.id !== "number" || message.id <= lastMessage) {
        return;
      }
      lastMessage = message.id;
      var entry = document.createElement("li");
      entry.className = "take-message";
      entry.dataset.message = String(message.id);
      var time = document.createElement("time");
      time.className = "take-message-time";
      time.textContent = message.sent_at;
      var text = document.createElement("span");
      text.className = "take-message-text";
      text.textContent = message.text;
      entry.appendChild(time);
      entry.appendChild(text);
      // Newest first, none replaced: every message stays readable.
      messageList.insertBefore(entry, messageList.firstChild);
      messageBox.hidden = false;
    });
  }

  /* ---- status poll --------------------------------------------------------------------------- */

  function poll() {
    if (closed || handingIn) {
      return Promise.resolve();
    }
    var url = statusUrl + (statusUrl.indexOf("?") < 0 ? "?" : "&") + "after=" + lastMessage;
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (!body || typeof body.state !== "string") {
          return;
        }
        if (body.state !== "in_progress") {
          closed = true;
          window.location.href = body.result_url || resultUrl;
          return;
        }
        if (body.taken_over) {
          setTakenOver();
        }
        setPaused(Boolean(body.paused), body.remaining_seconds);
        syncTimer(body.remaining_seconds);
        showMessages(Array.isArray(body.messages) ? body.messages : []);
      })
      .catch(function () {
        /* offline: the local countdown goes on */
      });
  }

  // A save the server acknowledged since the last poll already synced the timer and counted as
  // contact, and a stopped clock or another device shows in the save's answer: the poll is skipped
  // then, but never more than POLL_SKIPS_MAX times in a row, so room messages arrive within
  // (POLL_SKIPS_MAX + 1) poll intervals (30 s by default). A thousand examinees answering every
  // ten seconds then send a third of the polls (docs/PERFORMANCE.md, "exam start burst").
  var POLL_SKIPS_MAX = 2;
  var savedSincePoll = false;
  var pollsSkipped = 0;

  function pollLoop() {
    var skip = savedSincePoll && pollsSkipped < POLL_SKIPS_MAX;
    savedSincePoll = false;
    pollsSkipped = skip ? pollsSkipped + 1 : 0;
    (skip ? Promise.resolve() : poll()).then(function () {
      if (!closed) {
        setTimeout(pollLoop, pollMs);
      }
    });
  }

  /* ---- focus losses ------------------------------------------------------------------------ */

  var focusWarning = document.getElementById("take-focus-warning");
  var FOCUS_RANK = { focus_lost: 1, fullscreen_exit: 2, tab_hidden: 3 };
  var pendingFocus = null;
  var pendingFocusTimer = null;
  var lastFocusReport = 0;

  function reportFocus(kind) {
    lastFocusReport = Date.now();
    fetch(eventUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ kind: kind }),
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (!body) {
          return;
        }
        if (body.submitted) {
          closed = true;
          window.location.href = body.result_url || resultUrl;
          return;
        }
        if (body.warn && body.warning) {
          focusWarning.textContent = body.warning;
          focusWarning.hidden = false;
        }
      })
      .catch(function () {
        /* offline: the loss is not counted */
      });
  }

  function focusLost(kind) {
    // Not counted once handed in, while the clock is stopped or while another device holds the paper.
    if (!trackFocus || closed || handingIn || paused || takenOver) {
      return;
    }
    if (pendingFocusTimer) {
      if (FOCUS_RANK[kind] > FOCUS_RANK[pendingFocus]) {
        pendingFocus = kind;
      }
      if (kind !== "tab_hidden") {
        return;
      }
    } else if (Date.now() - lastFocusReport < FOCUS_QUIET_MS) {
      return;
    }
    if (kind === "tab_hidden") {
      clearTimeout(pendingFocusTimer);
      pendingFocusTimer = null;
      reportFocus(kind);
      return;
    }
    pendingFocus = kind;
    pendingFocusTimer = setTimeout(function () {
      pendingFocusTimer = null;
      reportFocus(pendingFocus);
    }, FOCUS_GATHER_MS);
  }

  window.addEventListener("blur", function () {
    focusLost("focus_lost");
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      focusLost("tab_hidden");
    }
  });

  // Full screen is offered, never forced; leaving it (other than by this button) is a focus loss.
  var fullscreenButton = document.getElementById("take-fullscreen");
  var wasFullscreen = false;
  var leavingFullscreen = false;
  if (fullscreenButton && document.fullscreenEnabled) {
    fullscreenButton.hidden = false;
    fullscreenButton.addEventListener("click", function () {
      if (document.fullscreenElement) {
        leavingFullscreen = true;
        document.exitFullscreen().catch(function () {
          leavingFullscreen = false;
        });
      } else {
        document.documentElement.requestFullscreen().catch(function () {
          /* refused by the browser: the paper works the same */
        });
      }
    });
  }
  document.addEventListener("fullscreenchange", function () {
    var now = Boolean(document.fullscreenElement);
    if (wasFullscreen && !now && !leavingFullscreen) {
      focusLost("fullscreen_exit");
    }
    leavingFullscreen = false;
    wasFullscreen = now;
    if (fullscreenButton) {
      fullscreenButton.textContent = now ? strings.exit_fullscreen : strings.fullscreen;
    }
  });

  /* ---- no copying (a deterrent: the CSS stops selecting, this stops copying and the menu) ----- */

  if (preventCopy) {
    var blocked = function (event) {
      var target = event.target;
      if (target && target.closest && target.closest("input, textarea")) {
        return;
      }
      event.preventDefault();
    };
    document.addEventListener("copy", blocked);
    document.addEventListener("cut", blocked);
    form.addEventListener("contextmenu", blocked);
    form.addEventListener("dragstart", blocked);
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

  restoreKept();
  refreshMap();
  showPage(0);
  tick();
  setInterval(tick, 1000);
  pollLoop();
})();

