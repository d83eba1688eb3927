// The planner's service worker, served from /sw.js with VERSION and QUEUE_SCRIPT written above.
// Pages come from the network when there is one (a fresh copy replaces the kept one) and from
// the phone's store when there is none; static files from the store of this version. What is
// kept is what the server lists for the signed-in officer (/offline/keep.json); a page past its
// "until" is deleted. A new version takes over at once and deletes the old stores.
/* global VERSION, QUEUE_SCRIPT, PlannerQueue */
"use strict";
importScripts(QUEUE_SCRIPT);

const PREFIX = "planner-";
const FILES = PREFIX + "files-" + VERSION;
const PAGES = PREFIX + "pages-" + VERSION;
const OWNER = "/offline/__owner";

self.addEventListener("install", (event) => {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n.startsWith(PREFIX) && n !== FILES && n !== PAGES).map((n) => caches.delete(n))
      );
      await self.clients.claim();
    })()
  );
});

function isPage(request) {
  return request.mode === "navigate" || (request.headers.get("Accept") || "").includes("text/html");
}

// A kept copy: marked as such (the page then shows when it was updated) and dated.
async function keptCopy(response, until) {
  const headers = new Headers(response.headers);
  headers.set("X-Kept-At", new Date().toISOString());
  if (until) headers.set("X-Kept-Until", until);
  let body = await response.arrayBuffer();
  if ((headers.get("Content-Type") || "").startsWith("text/html")) {
    const text = new TextDecoder().decode(body);
    body = text.replace('data-served="network"', 'data-served="cache"');
  }
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

async function fromNetwork(request) {
  // (caches.match, not caches.open: opening would create the officer's store after sign-out.)
  try {
    const response = await fetch(request);
    const kept = await caches.match(request, { cacheName: PAGES });
    if (response.ok && kept && !response.redirected) {
      // A page the phone keeps: keep this fresher copy instead.
      const copy = await keptCopy(response.clone(), kept.headers.get("X-Kept-Until"));
      await (await caches.open(PAGES)).put(request, copy);
    }
    return response;
  } catch (error) {
    const kept = await caches.match(request, { cacheName: PAGES });
    if (kept && !expired(kept)) return kept;
    if (isPage(request)) {
      const fallback = await caches.match("/offline/unavailable");
      if (fallback) return fallback;
    }
    throw error;
  }
}

async function fromFiles(request) {
  const kept = await caches.match(request, { cacheName: FILES });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) (await caches.open(FILES)).put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === "/sw.js" || (url.pathname.startsWith("/offline/") && url.pathname !== "/offline/unavailable")) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(fromFiles(request));
  } else {
    event.respondWith(fromNetwork(request));
  }
});

function expired(response) {
  const until = response.headers.get("X-Kept-Until");
  return until && Date.parse(until) < Date.now();
}

// Delete what passed its day, and (with a list) what the list no longer names.
async function purge(keep) {
  if (!(await caches.has(PAGES))) return;
  const cache = await caches.open(PAGES);
  const wanted = keep ? new Set(keep.pages.map((p) => new URL(p.url, self.location.origin).href)) : null;
  for (const request of await cache.keys()) {
    if (request.url.endsWith(OWNER)) continue;
    const response = await cache.match(request);
    if (expired(response) || (wanted && !wanted.has(request.url))) await cache.delete(request);
  }
}

async function clearPages() {
  await caches.delete(PAGES);
}

// Fetch the server's list for the signed-in officer and keep every page on it; at most every
// REFRESH_EVERY for one officer (pages visited online are refreshed as they are visited).
const REFRESH_EVERY = 15 * 60 * 1000;
let lastRefresh = { at: 0, user: null };
let refreshing = Promise.resolve();

// One refresh at a time: a page asking while one runs waits for it (and then finds it recent).
function refresh(user) {
  refreshing = refreshing.then(async () => {
    const recent = Date.now() - lastRefresh.at < REFRESH_EVERY && lastRefresh.user === user;
    if (recent && (await caches.has(PAGES))) return;
    lastRefresh = { at: Date.now(), user };
    if (!(await keepListed())) lastRefresh.at = 0; // cut short: try again on the next page

  }).catch(() => null);
  return refreshing;
}

async function keepListed() {
  const answer = await fetch("/offline/keep.json", {
    credentials: "same-origin",
    cache: "no-store",
    headers: { "X-Planner-Keep": "1" },
  });
  if (!answer.ok) return false;
  const keep = await answer.json();
  const cache = await caches.open(PAGES);
  const owner = await cache.match(OWNER);
  if (owner && (await owner.text()) !== String(keep.user)) {
    await clearPages(); // another officer signed in on this phone
  }
  const pages = await caches.open(PAGES);
  await pages.put(OWNER, new Response(String(keep.user)));
  const files = await caches.open(FILES);
  await Promise.all(
    keep.files.map(async (file) => {
      if (!(await files.match(file))) await files.add(file).catch(() => null);
    })
  );
  // One at a time: the PDFs are rendered on demand and the link may be slow.
  for (const page of keep.pages) {
    try {
      // Marked: the server does not save the session for it (planner/offline/background.py).
      const response = await fetch(page.url, { credentials: "same-origin", headers: { "X-Planner-Keep": "1" } });
      if (response.ok && !response.redirected) await pages.put(page.url, await keptCopy(response, page.until));
    } catch (error) {
      return false; // the connection went: keep what we have
    }
  }
  await purge(keep);
  return true;
}

self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  const reply = (value) => event.source && event.source.postMessage({ type: type + ":done", value });
  if (type === "refresh") event.waitUntil(refresh(event.data.user).then(reply));
  else if (type === "purge") event.waitUntil(purge(null).then(reply));
  else if (type === "clear") event.waitUntil(clearPages().then(reply));
  else if (type === "send") event.waitUntil(PlannerQueue.sendAll().then(reply));
});

self.addEventListener("sync", (event) => {
  if (event.tag === "planner-send") event.waitUntil(PlannerQueue.sendAll());
});
