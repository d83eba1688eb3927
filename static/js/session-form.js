// Progressive help on the planning form; the form works the same without it.
(function () {
  const form = document.querySelector(".session-form");
  if (!form) return;
  const repeat = form.querySelectorAll('input[name="repeat"]');
  const options = form.querySelector(".repeat-options");
  // The weekday boxes belong to "every week", the number of days to "every N days".
  const weekly = form.querySelector(".when-weekly");
  const interval = form.querySelector(".when-interval");
  function showRepeat() {
    const chosen = form.querySelector('input[name="repeat"]:checked');
    const rule = chosen ? chosen.value : "none";
    if (options) options.hidden = rule === "none";
    if (weekly) weekly.hidden = rule !== "weekly";
    if (interval) interval.hidden = rule !== "interval";
  }
  repeat.forEach((r) => r.addEventListener("change", showRepeat));
  showRepeat();

  // Only offer the villages of the chosen commune.
  const commune = form.querySelector("#commune_id");
  const village = form.querySelector("#village_id");
  if (commune && village) {
    const filter = () => {
      const name = commune.options[commune.selectedIndex]?.text;
      village.querySelectorAll("optgroup").forEach((group) => {
        group.hidden = commune.value !== "0" && group.label !== name;
      });
    };
    commune.addEventListener("change", filter);
    filter();
  }
})();
