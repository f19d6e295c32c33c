// Floor devices (session door, exit survey): call the API with the paired device token, or,
// on a signed-in staff phone, with the session cookie and its CSRF token.
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');

  async function post(path, body) {
    const headers = { "Content-Type": "application/json" };
    const token = window.KioskApi && KioskApi.token();
    if (token) headers.Authorization = "Bearer " + token;
    else if (meta) headers["X-CSRFToken"] = meta.content;
    const res = await fetch("/api/v1" + path, { method: "POST", headers, body: JSON.stringify(body),
      credentials: "same-origin" });
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    return { status: res.status, data };
  }

  window.Floor = { post, nonce: () => (window.KioskApi ? KioskApi.nonce() : String(Date.now())) };
})();
