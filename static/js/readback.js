// Follows the reading of sent photos: polls its JSON and opens the review when it is done.
(function () {
  "use strict";
  var box = document.getElementById("readback-job");
  if (!box) { return; }
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  var message = document.getElementById("job-message");

  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (state) {
        bar.value = state.percent;
        percent.textContent = state.percent;
        if (state.status === "done" || state.status === "confirmed") {
          window.location.assign(box.dataset.reviewUrl);
        } else if (state.status === "failed") {
          message.textContent = state.error;
        } else {
          setTimeout(poll, 1000);
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
