/* Pages of a background job (an export, a certificate batch): poll the job's status every 2 s,
   move the bar, and show the download link (or the error) once the worker has finished.

   The section carries data-job-progress, data-status-url, data-finished and data-download-key
   (the JSON field holding the file's link); its parts are marked data-job="status", "count",
   "bar" (a <progress>, or a div inside a role=progressbar box), "error", "error-text" (optional),
   "download" (the hidden block) and "file" (the link). */
(function () {
  "use strict";

  function part(section, name) {
    return section.querySelector('[data-job="' + name + '"]');
  }

  function show(section, data) {
    var bar = part(section, "bar");
    if (bar.tagName === "PROGRESS") {
      bar.value = data.percent;
      bar.textContent = data.percent + "%";
    } else {
      bar.style.width = data.percent + "%";
      bar.parentNode.setAttribute("aria-valuenow", String(data.percent));
    }
    part(section, "count").textContent = data.done + " / " + data.total;
    var status = part(section, "status");
    status.textContent = data.status_label;
    status.setAttribute("data-status", data.status);
    if (data.error) {
      (part(section, "error-text") || part(section, "error")).textContent = data.error;
      part(section, "error").hidden = false;
    }
    var link = data[section.getAttribute("data-download-key")];
    if (link) {
      part(section, "file").setAttribute("href", link);
      part(section, "download").hidden = false;
    }
  }

  function watch(section) {
    var url = section.getAttribute("data-status-url");

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (data) {
          show(section, data);
          if (!data.finished) {
            window.setTimeout(poll, 2000);
          }
        })
        .catch(function () {
          window.setTimeout(poll, 5000);
        });
    }

    window.setTimeout(poll, 2000);
  }

  document.querySelectorAll("[data-job-progress]").forEach(function (section) {
    if (section.getAttribute("data-finished") !== "true") {
      watch(section);
    }
  });
})();
