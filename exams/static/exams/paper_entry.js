/*
 * The paper entry grid (exams/templates/exams/paper_sitting/entry.html).
 *
 * As the trainer types what an officer wrote, a mark beside each box says whether it matches the
 * printed paper's key: ✓ right, ✗ wrong, ½ partly right (some blanks, or a partial mark), ? cannot
 * be read. The keys come from the page (trainers may see them), in the labels printed on this paper.
 * Enter moves to the next box, and saves from the last one. The server scores the paper itself; these
 * marks only help catch typing slips.
 */
(function () {
  "use strict";

  var form = document.getElementById("paper-entry");
  if (!form) {
    return;
  }
  var checks = JSON.parse(document.getElementById("paper-entry-checks").textContent);
  var strings = JSON.parse(document.getElementById("paper-entry-strings").textContent);
  var fields = Array.prototype.slice.call(form.querySelectorAll("input[type=text], input[type=datetime-local]"));
  var TRUE = ["对", "√", "✓", "✔", "t", "true", "1", "是", "y", "正确"];
  var FALSE = ["错", "×", "✗", "✘", "x", "f", "false", "0", "否", "n", "错误"];

  function fold(text) {
    return (text.normalize ? text.normalize("NFKC") : text).trim();
  }

  function normalise(text) {
    return fold(text).replace(/\s+/g, " ").toLowerCase();
  }

  // "right", "wrong", "partly", "unreadable", or "" (empty).
  function verdict(check, raw) {
    var text = fold(raw);
    if (!text) {
      return "";
    }
    if (check.type === "single") {
      text = text.toUpperCase();
      if (text.length !== 1 || check.labels.indexOf(text) < 0) {
        return "unreadable";
      }
      return text === check.key ? "right" : "wrong";
    }
    if (check.type === "multiple") {
      var letters = text.toUpperCase().replace(/[\s,，、;；/]+/g, "");
      if (!letters) {
        return "unreadable";
      }
      var chosen = {};
      for (var i = 0; i < letters.length; i++) {
        if (check.labels.indexOf(letters[i]) < 0) {
          return "unreadable";
        }
        chosen[letters[i]] = true;
      }
      return Object.keys(chosen).sort().join("") === check.key ? "right" : "wrong";
    }
    if (check.type === "true_false") {
      var word = text.toLowerCase();
      if (TRUE.indexOf(word) >= 0) {
        return check.key ? "right" : "wrong";
      }
      if (FALSE.indexOf(word) >= 0) {
        return check.key ? "wrong" : "right";
      }
      return "unreadable";
    }
    if (check.type === "fill_blank") {
      var given = raw.split(/[|｜;；]/);
      if (given.length > check.key.length) {
        return "unreadable";
      }
      var right = 0;
      check.key.forEach(function (accepted, index) {
        var value = normalise(given[index] || "");
        if (value && accepted.indexOf(value) >= 0) {
          right += 1;
        }
      });
      if (right === check.key.length) {
        return "right";
      }
      return right ? "partly" : "wrong";
    }
    // A short answer's mark: 0 … points, in half points.
    var mark = Number(text);
    var points = Number(check.points);
    if (!/^\d+(\.\d+)?$/.test(text) || mark > points || (mark !== points && (mark * 2) % 1 !== 0)) {
      return "unreadable";
    }
    if (mark === points) {
      return "right";
    }
    return mark > 0 ? "partly" : "wrong";
  }

  var SYMBOLS = { right: "✓", wrong: "✗", partly: "½", unreadable: "?" };

  function show(input) {
    var position = input.dataset.position;
    var check = checks[position];
    var mark = form.querySelector('[data-mark="' + position + '"]');
    if (!check || !mark) {
      return;
    }
    var result = verdict(check, input.value);
    mark.textContent = result ? SYMBOLS[result] : "";
    mark.className = "entry-mark" + (result ? " is-" + result : "");
    mark.dataset.verdict = result;
    mark.title = result ? strings[result] : "";
    mark.setAttribute("aria-label", result ? strings[result] : "");
  }

  form.querySelectorAll(".entry-field").forEach(function (input) {
    input.addEventListener("input", function () {
      show(input);
    });
    show(input);
  });

  fields.forEach(function (input, index) {
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing) {
        return;
      }
      event.preventDefault();
      var next = fields[index + 1];
      if (next) {
        next.focus();
        if (next.select) {
          next.select();
        }
      } else if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    });
  });
  form.dataset.ready = "1";
})();
