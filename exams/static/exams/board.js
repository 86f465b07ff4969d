/* The invigilation board: polls the board's JSON every few seconds and redraws the table without
 * reloading, keeping the filters (the page's own query string) and the ticked examinees (by
 * officer), and says when the data was last updated. Asks before handing papers in. */
(function () {
  "use strict";

  var board = document.getElementById("board");
  if (!board) {
    return;
  }
  var strings = JSON.parse(document.getElementById("board-strings").textContent);
  var rowsBody = document.getElementById("board-rows");
  var updated = document.getElementById("board-updated");
  var picked = document.getElementById("board-picked");
  var all = document.getElementById("board-all");
  var actions = document.getElementById("board-actions");
  var jsonUrl = board.getAttribute("data-json-url") + window.location.search;
  var pollMs = (parseInt(board.getAttribute("data-poll-seconds"), 10) || 5) * 1000;
  var busy = false;

  function ticked() {
    var officers = {};
    rowsBody.querySelectorAll("input[name=pick]:checked").forEach(function (box) {
      officers[box.value.split("|")[0]] = true;
    });
    return officers;
  }

  function countTicked() {
    picked.textContent = String(rowsBody.querySelectorAll("input[name=pick]:checked").length);
  }

  function cell(text, className) {
    var td = document.createElement("td");
    if (className) {
      td.className = className;
    }
    td.textContent = text === null || text === undefined ? "" : String(text);
    return td;
  }

  function tag(text, className) {
    var span = document.createElement("span");
    span.className = "tag" + (className ? " " + className : "");
    span.textContent = text;
    return span;
  }

  function buildRow(row, keep) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-officer", row.officer);
    tr.setAttribute("data-state", row.state);
    if (row.no_contact) {
      tr.className = "is-silent";
    }
    var pick = document.createElement("td");
    if (row.state !== "exempt") {
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = "pick";
      box.value = row.pick;
      box.setAttribute("form", "board-actions");
      box.setAttribute("aria-label", strings.select.replace("%(name)s", row.name));
      box.checked = !!keep[String(row.officer)];
      pick.appendChild(box);
    }
    tr.appendChild(pick);

    var name = document.createElement("td");
    name.className = "nowrap";
    if (row.history) {
      var link = document.createElement("a");
      link.href = row.history;
      link.textContent = row.name;
      name.appendChild(link);
    } else {
      name.textContent = row.name;
    }
    tr.appendChild(name);

    var state = document.createElement("td");
    state.className = "nowrap";
    state.appendChild(tag(row.state_label, "board-state-" + row.state));
    if (row.paused) {
      state.appendChild(document.createTextNode(" "));
      state.appendChild(tag(strings.paused, "tag-warning"));
    }
    if (row.accommodation) {
      state.appendChild(document.createTextNode(" "));
      state.appendChild(tag(strings.accommodation, ""));
    }
    if (row.no_contact) {
      state.appendChild(document.createTextNode(" "));
      state.appendChild(tag(strings.no_contact, "tag-danger"));
    }
    tr.appendChild(state);
    tr.appendChild(cell(row.left, "mono nowrap"));
    tr.appendChild(cell(row.focus, row.focus ? "board-warn" : ""));
    tr.appendChild(cell(row.number, "mono"));
    tr.appendChild(cell(row.unit, "nowrap"));
    tr.appendChild(cell(row.started, "mono"));
    tr.appendChild(cell(row.last_save, "mono"));
    tr.appendChild(cell(row.answered, ""));
    tr.appendChild(cell(row.devices, ""));
    return tr;
  }

  function render(data) {
    var keep = ticked();
    var fragment = document.createDocumentFragment();
    data.rows.forEach(function (row) {
      fragment.appendChild(buildRow(row, keep));
    });
    if (!data.rows.length) {
      var empty = document.createElement("tr");
      empty.className = "board-empty";
      var td = cell(strings.none, "muted");
      td.colSpan = 11;
      empty.appendChild(td);
      fragment.appendChild(empty);
    }
    rowsBody.replaceChildren(fragment);
    document.querySelectorAll("#board-states [data-count]").forEach(function (badge) {
      var code = badge.getAttribute("data-count");
      badge.textContent = String(code ? data.counts[code] || 0 : data.total);
    });
    updated.textContent = strings.updated.replace("%(time)s", data.generated_at);
    updated.classList.remove("is-stale");
    countTicked();
  }

  function poll() {
    if (busy || document.hidden) {
      return;
    }
    busy = true;
    fetch(jsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(render)
      .catch(function () {
        updated.textContent = strings.failed;
        updated.classList.add("is-stale");
      })
      .then(function () {
        busy = false;
      });
  }

  rowsBody.addEventListener("change", countTicked);
  all.addEventListener("change", function () {
    rowsBody.querySelectorAll("input[name=pick]").forEach(function (box) {
      box.checked = all.checked;
    });
    countTicked();
  });
  actions.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // One click, one action: the buttons wait for the page that answers it.
    window.setTimeout(function () {
      actions.querySelectorAll("button[type=submit]").forEach(function (other) {
        other.disabled = true;
      });
    }, 0);
  });
  document.getElementById("board-unit").addEventListener("change", function () {
    document.getElementById("board-filter").requestSubmit();
  });
  window.addEventListener("pageshow", function () {
    actions.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = false;
    });
  });
  countTicked();
  window.setInterval(poll, pollMs);
  document.addEventListener("visibilitychange", poll);
})();
