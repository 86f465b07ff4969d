/* Certificate batch page: polls the batch's status every 2 s and moves the bar until it is done. */
(function () {
  "use strict";
  var section = document.getElementById("certificate-batch");
  if (!section || section.getAttribute("data-finished") === "true") {
    return;
  }
  var url = section.getAttribute("data-status-url");

  function show(data) {
    var bar = document.getElementById("batch-bar");
    bar.style.width = data.percent + "%";
    bar.parentNode.setAttribute("aria-valuenow", String(data.percent));
    document.getElementById("batch-count").textContent = data.done + " / " + data.total;
    var status = document.getElementById("batch-status");
    status.textContent = data.status_label;
    status.setAttribute("data-status", data.status);
    if (data.error) {
      var error = document.getElementById("batch-error");
      error.textContent = data.error;
      error.hidden = false;
    }
    if (data.archive_url) {
      document.getElementById("batch-archive").setAttribute("href", data.archive_url);
      document.getElementById("batch-download").hidden = false;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (!data.finished) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 2000);
})();
