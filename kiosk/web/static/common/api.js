// Talks to /api/v1 with the device token paired once and kept in localStorage.
(function () {
  "use strict";
  const KEY = "kiosk.token";

  function takeTokenFromLink() {
    // A pairing link carries the token in the fragment (#token=...), never sent to the server logs.
    const m = location.hash.match(/token=([A-Za-z0-9_\-]+)/);
    if (!m) return false;
    localStorage.setItem(KEY, m[1]);
    history.replaceState(null, "", location.pathname + location.search);
    return true;
  }

  async function call(method, path, body) {
    const headers = { "Authorization": "Bearer " + (localStorage.getItem(KEY) || "") };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch("/api/v1" + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    return { status: res.status, data };
  }

  // A multipart form (a photo and its fields): the browser sets the boundary.
  async function upload(path, form) {
    const res = await fetch("/api/v1" + path, {
      method: "POST",
      headers: { "Authorization": "Bearer " + (localStorage.getItem(KEY) || "") },
      body: form,
    });
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    return { status: res.status, data };
  }

  function nonce() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  const pairedByLink = takeTokenFromLink();
  window.KioskApi = {
    pairedByLink,
    token: () => localStorage.getItem(KEY),
    setToken: (t) => localStorage.setItem(KEY, t.trim()),
    forget: () => localStorage.removeItem(KEY),
    get: (p) => call("GET", p),
    post: (p, b) => call("POST", p, b),
    patch: (p, b) => call("PATCH", p, b),
    upload,
    nonce,
  };
})();
