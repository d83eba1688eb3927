// Offline use on the page: registers the service worker, keeps what is typed without signal in
// the phone's queue (forms marked data-offline), shows "waiting to be sent (n)" and refused
// entries with their reasons, sends the queue when the connection returns, and clears the
// phone's copy of an officer's data when they sign out or another officer signs in.
(function () {
  "use strict";
  const Q = window.PlannerQueue;
  const bar = document.getElementById("offline-bar");
  const textsNode = document.getElementById("offline-texts");
  if (!Q || !bar || !window.indexedDB) return;
  const T = JSON.parse(textsNode ? textsNode.textContent : "{}");
  const user = bar.dataset.user || null;
  // A text with a count comes as {one, other} (see planner/offline/texts.py): the form for n.
  const fill = (text, values) => {
    const form = typeof text === "string" ? text : values.n === 1 ? text.one : text.other;
    return form.replace(/\{(\w+)\}/g, (_m, name) => values[name]);
  };
  const worker = "serviceWorker" in navigator ? navigator.serviceWorker : null;

  function tell(type, data) {
    if (!worker) return Promise.resolve();
    return worker.ready.then((registration) => {
      const target = worker.controller || registration.active;
      if (!target) return null;
      return new Promise((resolve) => {
        const done = (event) => {
          if (event.data && event.data.type === type + ":done") {
            worker.removeEventListener("message", done);
            resolve(event.data.value);
          }
        };
        worker.addEventListener("message", done);
        target.postMessage(Object.assign({ type }, data));
        setTimeout(resolve, 60000);
      });
    });
  }

  async function clearPages() {
    if (window.caches) {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith("planner-pages-")).map((n) => caches.delete(n)));
    }
  }

  // --- what is waiting ---------------------------------------------------------------------
  async function render() {
    const box = bar.querySelector("[data-queue]");
    if (!box) return;
    const entries = (await Q.all()).filter((e) => String(e.user) === String(user)).sort((a, b) => a.at - b.at);
    const waiting = entries.filter((e) => e.state !== "refused");
    const refused = entries.filter((e) => e.state === "refused");
    box.hidden = !entries.length;
    const parts = [];
    if (waiting.length) parts.push(fill(T.waiting, { n: waiting.length }));
    if (refused.length) parts.push(fill(T.refused, { n: refused.length }));
    box.querySelector("[data-queue-count]").textContent = parts.join(" · ");
    box.classList.toggle("has-refused", refused.length > 0);
    if (refused.length) box.open = true;
    const sendButton = box.querySelector("[data-queue-send]");
    if (sendButton) sendButton.hidden = !waiting.length;
    const list = box.querySelector("[data-queue-list]");
    list.textContent = "";
    for (const entry of [...refused, ...waiting]) {
      const item = document.createElement("li");
      item.className = entry.state === "refused" ? "queue-refused" : "queue-waiting";
      const what = document.createElement("strong");
      what.textContent = (T[entry.kind] || entry.kind) + ": " + entry.label;
      item.appendChild(what);
      const state = document.createElement("span");
      state.className = "queue-state";
      state.textContent = " — " + (entry.state === "refused" ? entry.reason : T.stateWaiting);
      item.appendChild(state);
      if (entry.state === "refused") {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "queue-remove";
        button.textContent = T.remove;
        button.addEventListener("click", async () => {
          if (!window.confirm(T.confirmRemove)) return;
          await Q.remove(entry.key);
          render();
        });
        item.append(" ", button);
      }
      list.appendChild(item);
    }
  }

  async function send() {
    if (!navigator.onLine) return null;
    const summary = await Q.sendAll();
    await render();
    const note = bar.querySelector("[data-offline-note]");
    if (summary.signedOut && note) {
      note.textContent = T.signIn;
      note.hidden = false;
    }
    return summary;
  }

  // --- forms typed without signal ------------------------------------------------------------
  function seen(form) {
    const values = {};
    if (form.dataset.seenStatus) values.status = form.dataset.seenStatus;
    if (form.dataset.seenPerson) values.person_id = form.dataset.seenPerson;
    return values;
  }

  function fieldsOf(form) {
    const fields = {};
    for (const [name, value] of new FormData(form).entries()) {
      if (typeof value !== "string" || name === "next" || name.endsWith("csrf_token")) continue;
      if (name in fields) fields[name] = [].concat(fields[name], value);
      else fields[name] = value;
    }
    return fields;
  }

  function say(form, text) {
    let status = form.querySelector("[data-status]");
    if (!status) {
      status = document.createElement("p");
      status.setAttribute("role", "status");
      status.dataset.status = "";
      form.prepend(status);
    }
    status.textContent = text;
    status.className = "status flash flash-info";
  }

  document.addEventListener(
    "submit",
    async (event) => {
      const form = event.target;
      if (navigator.onLine || !form.dataset || !form.dataset.offline || !user) return;
      event.preventDefault();
      event.stopImmediatePropagation(); // the page's own script would post it
      const kind = form.dataset.offline;
      const fields = fieldsOf(form);
      if (kind === "held" && fields.status !== "held") {
        say(form, T.onlyHeld);
        return;
      }
      const label = form.dataset.offlineLabel || fields.full_name || "";
      await Q.add({ kind, target: Number(form.dataset.offlineTarget), fields, seen: seen(form), label, user });
      if (worker && "SyncManager" in window) {
        worker.ready.then((r) => r.sync.register("planner-send")).catch(() => null);
      }
      const village = form.querySelector('[name="village_id"]');
      const keepVillage = village ? village.value : null;
      if (kind !== "held") form.reset();
      if (village) village.value = keepVillage;
      say(form, T.saved);
      await render();
      const first = form.querySelector('[name="full_name"]');
      if (first) first.focus();
    },
    true
  );

  // --- signing out, another officer signing in ------------------------------------------
  async function unsent(ofUser) {
    return (await Q.all()).filter((e) => ofUser == null || String(e.user) === String(ofUser));
  }

  document.addEventListener(
    "submit",
    async (event) => {
      const form = event.target;
      if (!form.hasAttribute || !form.hasAttribute("data-logout") || form.dataset.cleared) return;
      event.preventDefault();
      await send().catch(() => null);
      const left = await unsent(user);
      if (left.length && !window.confirm(fill(T.logoutUnsent, { n: left.length }))) return;
      await Q.clear(user);
      await Q.setMeta("owner", null);
      await clearPages();
      form.dataset.cleared = "1";
      form.submit();
    },
    true
  );

  document.addEventListener(
    "submit",
    async (event) => {
      const form = event.target;
      if (!form.hasAttribute || !form.hasAttribute("data-login") || form.dataset.cleared) return;
      event.preventDefault();
      const owner = await Q.getMeta("owner").catch(() => null);
      const typed = (form.querySelector('[name="username"]') || {}).value || "";
      if (owner && owner.username !== typed.trim()) {
        await Q.sendAll().catch(() => null); // the other officer's sign-in may still be valid
        const left = await unsent(owner.user);
        if (left.length && !window.confirm(fill(T.otherUser, { n: left.length, name: owner.name }))) return;
        await Q.clear(owner.user);
        await Q.setMeta("owner", null);
        await clearPages();
      }
      form.dataset.cleared = "1";
      form.submit();
    },
    true
  );

  // --- on every page -------------------------------------------------------------------------
  function openTodaysForms() {
    const today = new Date();
    const local = [today.getFullYear(), String(today.getMonth() + 1).padStart(2, "0"), String(today.getDate()).padStart(2, "0")].join("-");
    document.querySelectorAll("[data-from-day]").forEach((node) => {
      if (node.dataset.fromDay <= local) node.hidden = false;
    });
    document.querySelectorAll("[data-until-day]").forEach((node) => {
      if (node.dataset.untilDay <= local) node.hidden = true;
    });
  }

  function showConnection() {
    const note = bar.querySelector("[data-offline-note]");
    if (note) note.hidden = navigator.onLine;
  }

  // The phone's store, the worker and the sending wait for the page's load: the worker's
  // first refresh fetches every page the phone keeps, which on a slow link would compete with
  // the page's own CSS and scripts, and the store's work with its first paint.
  async function keep() {
    if (user) {
      const owner = await Q.getMeta("owner").catch(() => null);
      if (owner && String(owner.user) !== String(user)) await clearPages();
      await Q.setMeta("owner", { user, username: bar.dataset.username, name: bar.dataset.userName });
    }
    await render();
    if (worker) {
      await worker.register("/sw.js", { scope: "/" }).catch(() => null);
    }
    if (user && navigator.onLine) {
      await send();
      await tell("refresh", { user });
    } else if (worker) {
      tell("purge");
    }
    document.documentElement.dataset.offlineReady = "1";
  }

  window.addEventListener("online", () => {
    showConnection();
    send();
  });
  window.addEventListener("offline", showConnection);
  const sendButton = bar.querySelector("[data-queue-send]");
  if (sendButton) sendButton.addEventListener("click", send);
  if (window.BroadcastChannel) new BroadcastChannel("planner-offline").onmessage = render;
  openTodaysForms();
  showConnection();
  if (document.readyState === "complete") keep();
  else window.addEventListener("load", keep, { once: true });
})();
