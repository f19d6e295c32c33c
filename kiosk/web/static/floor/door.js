// Session door: each scanned badge is counted into the chosen session once.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  if (params.get("session")) $("session").value = params.get("session");
  const MESSAGES = {
    already_attended: "已签到此论坛 · Already counted in",
    revoked: "胸卡已作废 · Badge replaced or cancelled",
    invalid: "无效胸卡 · Not a valid badge",
  };

  function show(cls, html) { const r = $("result"); r.className = "result " + cls; r.innerHTML = html; }

  async function scan(code) {
    code = code.trim();
    if (!code) return;
    const res = await Floor.post("/interactions",
      { code, type: "session_attended", place: $("session").value, nonce: Floor.nonce() });
    const d = res.data;
    if (res.status === 401 || res.status === 403) { $("pair").classList.remove("hidden"); show("error", "–"); return; }
    if (d.attended !== undefined) $("count").textContent = `${d.attended} / ${d.capacity || "∞"}`;
    if (res.status === 201) {
      show(d.over_capacity ? "warn" : "ok", `<div class="big">✓</div><b id="who"></b><br>` +
        (d.over_capacity ? "超出容量 · Over capacity" : "欢迎 · Welcome"));
      $("who").textContent = d.attendee.full_name;
    } else {
      show("error", `<div class="big">✗</div>${MESSAGES[d.reason] || d.message || d.error || res.status}`);
    }
  }

  $("manual").addEventListener("submit", (ev) => { ev.preventDefault(); scan($("code").value); $("code").value = ""; });
  Wedge.listen(scan);
  window.Door = { scan };
})();
