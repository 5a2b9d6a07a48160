// The job page's progress bar: polls the job's API URL until it is done or failed,
// then reloads the page, which shows the report (or the failure and "start again").
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.status === "done" || job.status === "failed") { window.location.reload(); return; }
        document.getElementById("bar").value = job.percent;
        document.getElementById("percent").textContent = job.percent;
        document.getElementById("stage").textContent = job.stage + (job.total ? " " + job.progress + "/" + job.total : "");
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
