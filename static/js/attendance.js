// Adds attendees without reloading the page; without JavaScript the form posts and redirects.
(function () {
  const form = document.querySelector("form.attendance-form");
  if (!form || !window.fetch || !window.FormData) return;
  const panel = form.closest(".attendance-panel");
  const body = panel.querySelector("[data-attendees]");
  const empty = panel.querySelector("[data-empty]");
  const status = form.querySelector("[data-status]");
  let busy = false;

  function clearErrors() {
    form.querySelectorAll(".field.has-error").forEach((f) => f.classList.remove("has-error"));
    form.querySelectorAll("p.error[data-js]").forEach((p) => p.remove());
    form.querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
  }

  function showError(name, message) {
    const input = form.querySelector(`[name="${name}"]`);
    const field = input ? input.closest(".field") : null;
    if (!field) return null;
    field.classList.add("has-error");
    const p = document.createElement("p");
    p.className = "error";
    p.dataset.js = "1";
    p.id = `${name}-js-error`;
    p.textContent = message;
    field.appendChild(p);
    if (input.type !== "radio") {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", p.id);
    }
    return input;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    clearErrors();
    const token = form.querySelector('input[name="csrf_token"]');
    let response, payload;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" },
      });
      payload = await response.json();
    } catch (error) {
      busy = false;
      form.submit(); // let the server answer with a full page (e.g. an expired form)
      return;
    }
    busy = false;
    if (payload.ok) {
      body.insertAdjacentHTML("beforeend", payload.row);
      if (empty) empty.hidden = true;
      Object.entries(payload.counts || {}).forEach(([key, value]) => {
        const cell = panel.querySelector(`[data-count="${key}"]`);
        if (cell) cell.textContent = value;
      });
      const village = form.querySelector('[name="village_id"]').value;
      form.reset();
      form.querySelector('[name="village_id"]').value = village;
      status.textContent = payload.message;
      status.className = "status flash flash-success";
      form.querySelector('[name="full_name"]').focus();
      return;
    }
    Object.entries(payload.errors || {}).forEach(([name, message]) => showError(name, message));
    status.textContent = payload.message;
    status.className = "status flash flash-error";
    // Focus the first wrong field in the order the officer reads the form.
    const first = form.querySelector(".field.has-error input, .field.has-error select");
    (first || form.querySelector('[name="full_name"]')).focus();
  });
})();
