// Lets the entrance kiosk page open with the server out of reach (a reload during an outage):
// the page and every file it loads are kept in a cache, tried from the network first (so
// updates arrive) and from the cache when the network fails or is silent for 1.5 s.
// API calls are never cached: offline.js keeps the offline set and the queue itself.
"use strict";
const CACHE = "kiosk-v1";
const PAGE = "/kiosk";
const WAIT_MS = 1500;

// The page names its own files: cache the page and whatever it loads from /static/.
async function keepShell() {
  const cache = await caches.open(CACHE);
  const res = await fetch(PAGE, { cache: "no-store" });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put(PAGE, res);
  const files = new Set();
  for (const m of html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)) files.add(m[1]);
  await Promise.all([...files].map((f) => cache.add(f).catch(() => {})));
}

self.addEventListener("install", (event) => {
  event.waitUntil(keepShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("kiosk-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function networkFirst(request, key) {
  const network = fetch(request).then((res) => {
    if (res.ok) {
      const copy = res.clone();
      caches.open(CACHE).then((c) => c.put(key, copy));
    }
    return res;
  });
  const fallback = () => caches.match(key).then((hit) => hit || network);
  const slow = new Promise((resolve) => setTimeout(resolve, WAIT_MS)).then(() => caches.match(key));
  return Promise.race([network.catch(fallback), slow.then((hit) => hit || network.catch(fallback))]);
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) { event.respondWith(networkFirst(event.request, PAGE)); return; }
  if (url.pathname.startsWith("/static/")) event.respondWith(networkFirst(event.request, url.pathname));
});
