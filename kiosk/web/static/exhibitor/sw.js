// Lets the exhibitor page open with the server out of reach: the page and its files are kept
// in a cache, tried from the network first (so updates arrive) and from the cache when offline.
// API calls are never cached: the page's outbox handles those.
"use strict";
const CACHE = "exhibitor-v3";
const SHELL = [
  "/exhibitor/",
  "/static/common/base.css",
  "/static/common/api.js",
  "/static/common/wedge.js",
  "/static/vendor/jsQR.js",
  "/static/vendor/socket.io.min.js",
  "/static/exhibitor/exhibitor.css",
  "/static/exhibitor/i18n.js",
  "/static/exhibitor/queue.js",
  "/static/exhibitor/camera.js",
  "/static/exhibitor/photo.js",
  "/static/exhibitor/exhibitor.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/socket.io/")) return;
  const key = url.pathname.startsWith("/exhibitor") ? "/exhibitor/" : url.pathname;
  event.respondWith(
    fetch(event.request)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(key, copy));
        }
        return res;
      })
      .catch(() => caches.match(key).then((hit) => hit || Response.error())),
  );
});
