// The phone's queue of entries typed offline (IndexedDB), shared by the pages and the service
// worker. Each entry keeps the key it was given when typed; the server records a key once, so
// sending from a page and from the worker at the same moment, or again after a lost answer, is
// safe. An entry the server refuses stays, with the reason, until the officer removes it.
(function (scope) {
  "use strict";
  const DB = "planner-offline";
  const ENTRIES = "entries";
  const META = "meta";
  let sending = null;

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(ENTRIES, { keyPath: "key" });
        request.result.createObjectStore(META);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function run(store, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const result = work(tx.objectStore(store));
      tx.oncomplete = () => {
        db.close();
        resolve(result && "result" in result ? result.result : undefined);
      };
      tx.onerror = tx.onabort = () => {
        db.close();
        reject(tx.error);
      };
    });
  }

  const all = () => run(ENTRIES, "readonly", (s) => s.getAll());
  const put = (entry) => run(ENTRIES, "readwrite", (s) => s.put(entry));
  const remove = (key) => run(ENTRIES, "readwrite", (s) => s.delete(key));
  const getMeta = (name) => run(META, "readonly", (s) => s.get(name));
  const setMeta = (name, value) => run(META, "readwrite", (s) => s.put(value, name));

  function newKey() {
    if (scope.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function add(fields) {
    const entry = Object.assign({ key: newKey(), state: "waiting", at: Date.now() }, fields);
    return put(entry).then(() => entry);
  }

  // Remove one officer's entries (or every entry with no user given).
  async function clear(user) {
    const entries = await all();
    await Promise.all(
      entries.filter((e) => user == null || String(e.user) === String(user)).map((e) => remove(e.key))
    );
  }

  async function token() {
    const response = await fetch("/offline/token", { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) return null;
    if (!response.ok) throw new Error("token " + response.status);
    return response.json();
  }

  async function post(entry, csrf) {
    const body = { key: entry.key, kind: entry.kind, target: entry.target, fields: entry.fields, seen: entry.seen };
    return fetch("/offline/entries", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
  }

  // Send every waiting entry of the signed-in officer, oldest first. Answers a summary:
  // {recorded, refused, waiting, signedOut, offline}.
  async function send() {
    const summary = { recorded: 0, refused: 0, waiting: 0, signedOut: false, offline: false };
    const waiting = (await all()).filter((e) => e.state !== "refused").sort((a, b) => a.at - b.at);
    if (!waiting.length) return summary;
    let session;
    try {
      session = await token();
    } catch (error) {
      summary.offline = true;
      summary.waiting = waiting.length;
      return summary;
    }
    if (!session) {
      summary.signedOut = true;
      summary.waiting = waiting.length;
      return summary;
    }
    for (const entry of waiting) {
      if (String(entry.user) !== String(session.user)) continue; // only its own officer sends it
      let response;
      try {
        response = await post(entry, session.csrf_token);
        if (response.status === 400) {
          // The form token expired between the two requests: one more try with a new one.
          session = (await token()) || session;
          response = await post(entry, session.csrf_token);
        }
      } catch (error) {
        summary.offline = true;
        break;
      }
      if (response.status === 401) {
        summary.signedOut = true;
        break;
      }
      let answer = {};
      try {
        answer = await response.json();
      } catch (error) {
        answer = {};
      }
      if (response.ok) {
        await remove(entry.key);
        summary.recorded += 1;
      } else if ([404, 409, 422].includes(response.status) && answer.reason) {
        entry.state = "refused";
        entry.reason = answer.reason;
        await put(entry);
        summary.refused += 1;
      } else {
        break; // the server is unwell: keep everything and try again later
      }
    }
    summary.waiting = (await all()).filter((e) => e.state !== "refused").length;
    return summary;
  }

  // One run at a time in this page or worker; a second caller waits for the same run.
  function sendAll() {
    if (!sending) {
      sending = send().finally(() => {
        sending = null;
        if (scope.BroadcastChannel) new BroadcastChannel("planner-offline").postMessage("changed");
      });
    }
    return sending;
  }

  scope.PlannerQueue = { add, all, put, remove, clear, sendAll, getMeta, setMeta };
})(self);
