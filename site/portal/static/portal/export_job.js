/* Export job page: polls the job's status every 2 s, moves the bar, and shows the download link
   (or the error) once the worker has finished. */
(function () {
  "use strict";
  var section = document.getElementById("export-job");
  if (!section || section.getAttribute("data-finished") === "true") {
    return;
  }
  var url = section.getAttribute("data-status-url");

  function show(data) {
    var bar = document.getElementById("export-bar");
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    document.getElementById("export-count").textContent = data.done + " / " + data.total;
    var status = document.getElementById("export-status");
    status.textContent = data.status_label;
    status.setAttribute("data-status", data.status);
    if (data.error) {
      document.getElementById("export-error-text").textContent = data.error;
      document.getElementById("export-error").hidden = false;
    }
    if (data.download_url) {
      document.getElementById("export-file").setAttribute("href", data.download_url);
      document.getElementById("export-download").hidden = false;
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
