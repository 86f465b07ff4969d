/* Live availability per rule row: asks exams:blueprint_availability as the trainer edits. */
(function () {
  var url = JSON.parse(document.getElementById("availability-url").textContent);
  var form = document.getElementById("blueprint-form");
  var label = JSON.parse(document.getElementById("availability-label").textContent);
  var names = ["question_type", "knowledge_point", "difficulty_min", "difficulty_max", "tier", "audience"];
  var timers = new WeakMap();

  function field(row, name) {
    return row.querySelector("[name='" + row.dataset.prefix + "-" + name + "']");
  }

  function update(row) {
    var out = row.querySelector("output.availability");
    var type = field(row, "question_type");
    var count = field(row, "count");
    if (!type || !type.value || !count || !count.value) { out.textContent = "—"; out.classList.remove("is-short"); return; }
    var params = new URLSearchParams();
    names.forEach(function (name) { var el = field(row, name); params.set(name, el ? el.value : ""); });
    params.set("blueprint_tier", form.querySelector("[name='tier']").value);
    params.set("blueprint_audience", form.querySelector("[name='audience']").value);
    fetch(url + "?" + params.toString(), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (typeof data.available !== "number") { out.textContent = "—"; return; }
        var wanted = parseInt((field(row, "count") || {}).value || "0", 10);
        out.textContent = label.replace("%(n)s", data.available);
        out.classList.toggle("is-short", wanted > data.available);
      })
      .catch(function () { out.textContent = "—"; });
  }

  function schedule(row) {
    clearTimeout(timers.get(row));
    timers.set(row, setTimeout(function () { update(row); }, 250));
  }

  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-rule-row]"));
  rows.forEach(function (row) {
    row.addEventListener("change", function () { schedule(row); });
    row.addEventListener("input", function () { schedule(row); });
    update(row);
  });
  ["tier", "audience"].forEach(function (name) {
    form.querySelector("[name='" + name + "']").addEventListener("change", function () { rows.forEach(update); });
  });
})();
