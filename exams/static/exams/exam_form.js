// New exam form: the strict exam-day rules (record leaving the page, one device, no copying) follow
// the kind chosen — ticked for formal and qualification exams — until the trainer ticks or unticks
// one of them by hand.
(function () {
  "use strict";
  var fieldset = document.getElementById("exam-rules-fieldset");
  var kind = document.getElementById("id_kind");
  if (!fieldset || !kind || !fieldset.dataset.strictKinds) return;
  var strict = fieldset.dataset.strictKinds.split(" ");
  var boxes = ["id_track_focus", "id_single_device", "id_prevent_copy"]
    .map(function (id) { return document.getElementById(id); })
    .filter(Boolean);
  var touched = false;
  boxes.forEach(function (box) {
    box.addEventListener("change", function () { touched = true; });
  });
  kind.addEventListener("change", function () {
    if (touched) return;
    var on = strict.indexOf(kind.value) !== -1;
    boxes.forEach(function (box) { box.checked = on; });
  });
})();
