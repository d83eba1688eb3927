// Follows a print job: polls its JSON every second and moves the progress bar until it is done.
(function () {
  "use strict";
  var box = document.getElementById("print-job");
  if (!box) { return; }
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  var message = document.getElementById("job-message");
  var download = document.getElementById("job-download");
  var retry = document.getElementById("job-retry");

  function show(state) {
    bar.value = state.percent;
    bar.setAttribute("value", state.percent);
    bar.textContent = state.percent + "%";
    percent.textContent = state.percent;
    message.textContent = state.message;
    if (state.status === "done") {
      download.href = state.download_url;
      download.hidden = false;
    } else if (state.status === "failed") {
      if (retry) { retry.hidden = false; }
    }
  }

  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (state) {
        show(state);
        if (state.status === "queued" || state.status === "running") { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
