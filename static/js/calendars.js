// Copy buttons for calendar links; without JavaScript the links can be selected and copied by hand.
(function () {
  document.querySelectorAll("button.copy[data-copy]").forEach((button) => {
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(source.value).then(() => {
        button.textContent = "✓";
        setTimeout(() => { button.textContent = label; }, 1500);
      });
    });
  });
  document.querySelectorAll("input.copy-source").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });
})();
