// The entrance kiosk: idle -> scan, or find me -> prove it is you -> result -> idle.
(function () {
  "use strict";
  const RESULT_MS = 6000;
  const state = { lang: null, show: null, device: null, timer: null, selected: null, verifying: null };
  const $ = (sel) => document.querySelector(sel);

  function t(key, vars) {
    const table = window.KioskText[state.lang] || window.KioskText.en;
    let text = table[key] || window.KioskText.en[key] || key;
    for (const [k, v] of Object.entries(vars || {})) text = text.split("{" + k + "}").join(v);
    return text;
  }

  function localName(names) {
    if (!names) return "";
    return names[state.lang] || names.en || Object.values(names)[0] || "";
  }

  // Who may enter, or when the gate opens, as the server's rule says.
  function notAllowedDetail(d) {
    if (d.rule === "hours") {
      return d.opens && d.closes ? t("not_allowed_hours_open", { opens: d.opens, closes: d.closes })
                                 : t("not_allowed_hours");
    }
    const allowed = (d.allowed || []).map((c) => localName(c.name)).filter(Boolean);
    return allowed.length ? t("not_allowed_category_list", { list: allowed.join(t("list_sep")) })
                          : t("not_allowed_category");
  }

  function setLang(lang) {
    state.lang = lang;
    document.documentElement.lang = lang === "zh" ? "zh-CN" : lang;
    localStorage.setItem("kiosk.lang", lang);
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    document.querySelectorAll("[data-t-placeholder]").forEach((el) => {
      el.placeholder = t(el.dataset.tPlaceholder);
    });
    document.querySelectorAll(".lang").forEach((b) => {
      b.classList.toggle("active", b.dataset.lang === lang);
      b.setAttribute("aria-pressed", b.dataset.lang === lang);
    });
    if (state.show) {
      $("[data-show-name]").textContent = localName(state.show.name);
      const gate = state.show.gates[state.device.gate];
      $("#gate-name").textContent = gate ? localName(gate.name) : "";
    }
    const verifyLine = document.querySelector("#verify-error");
    if (verifyLine && verifyLine.dataset.key) verifyLine.textContent = t(verifyLine.dataset.key);
    if (state.verifying) {
      $("#verify-title").textContent = t(state.verifying.known ? "verify_known_title" : "verify_title");
      $("#btn-verify").textContent = t(state.verifying.known ? "verify_known_submit" : "verify_submit");
    }
    document.dispatchEvent(new CustomEvent("kiosk:lang", { detail: lang }));
  }

  function show(name) {
    clearTimeout(state.timer);
    document.querySelectorAll(".screen").forEach((s) => { s.hidden = s.id !== "screen-" + name; });
    document.body.dataset.screen = name;
    if (name === "search") setTimeout(() => $("#search-q").focus(), 0);
  }

  function idle() {
    state.selected = null;
    state.verifying = null;
    $("#verify-answer").value = "";
    $("#search-q").value = "";
    $("#results").innerHTML = "";
    $("#no-results").hidden = true;
    if (state.lang !== state.defaultLang) setLang(state.defaultLang);
    show("idle");
  }

  function countdown(ms) {
    clearTimeout(state.timer);
    const bar = $("#countdown-bar");
    bar.style.transition = "none";
    bar.style.width = "100%";
    requestAnimationFrame(() => requestAnimationFrame(() => {
      bar.style.transition = "width " + ms + "ms linear";
      bar.style.width = "0%";
    }));
    state.timer = setTimeout(idle, ms);
  }

  // Keep the result screen up for `ms` from now (a badge still printing, then its answer).
  function extendResult(ms) {
    if (document.body.dataset.screen === "result") countdown(ms || RESULT_MS);
  }

  function result(kind, title, name, detail) {
    const screen = $("#screen-result");
    screen.dataset.kind = kind;
    $("#result-icon").textContent = { ok: "✓", warn: "!", bad: "✕" }[kind];
    $("#result-title").textContent = title;
    $("#result-name").textContent = name || "";
    $("#result-detail").textContent = detail || "";
    $("#result-print").hidden = true;
    show("result");
    countdown(RESULT_MS);
  }

  function gateName(id) {
    const gate = state.show.gates[id];
    return gate ? localName(gate.name) : id;
  }

  function speakTo(attendee) {
    // Greet people in their own language when they registered with one.
    if (attendee && attendee.language && window.KioskText[attendee.language]) {
      setLang(attendee.language);
    }
  }

  function showAnswer(res) {
    if (window.KioskModes && window.KioskModes.answer(res)) return;
    const d = res.data || {};
    const a = d.attendee;
    if (res.status === 201 && d.status === "ok") {
      speakTo(a);
      const inward = d.direction !== "out";
      result("ok", t(inward ? "welcome" : "goodbye", { name: a.full_name }), a.company,
             t(inward ? "welcome_detail" : "goodbye_detail", { gate: gateName(d.gate) }));
      document.dispatchEvent(new CustomEvent("kiosk:checked-in", { detail: d }));
      return;
    }
    if (a) speakTo(a);
    const reason = d.reason || (res.status >= 500 || res.status === 0 ? "error" : "invalid");
    if (reason === "already_checked_in") {
      result("warn", t("already"), a && a.full_name,
             t("already_detail", { time: d.checked_in_local, gate: localName(d.checked_in_gate_name) || d.checked_in_gate }));
    } else if (reason === "not_allowed") {
      result("bad", t("not_allowed"), a && a.full_name, notAllowedDetail(d));
    } else if (reason === "revoked") {
      result("bad", t("revoked"), a && a.full_name, t("revoked_detail"));
    } else if (reason === "no_reentry" || reason === "not_checked_in") {
      result("bad", t(reason), a && a.full_name, "");
    } else if (reason === "invalid") {
      result("bad", t("invalid"), "", t("invalid_detail"));
    } else {
      result("bad", t("error"), "", t("error_detail"));
    }
  }

  let busy = false;
  // `handle(res)` may take an answer itself (true) before it is shown as a result.
  async function checkIn(body, handle) {
    if (busy) return;
    busy = true;
    $("#busy").hidden = false;
    // No direction: the server uses the device's own (kiosk/modes.js), as set in the console now.
    const payload = Object.assign({ gate: state.device.gate, nonce: KioskApi.nonce() }, body);
    let res = { status: 0, data: {} };
    const offline = window.KioskOffline;  // offline.js: decides from the offline set, queues
    for (let attempt = 0; attempt < 3 && !(offline && offline.isOffline() && payload.code); attempt++) {
      try { res = await KioskApi.post("/checkins", payload); break; }
      catch (e) { res = { status: 0, data: {} }; await new Promise((r) => setTimeout(r, 400)); }
    }
    if (offline && payload.code && (res.status === 0 || res.status >= 502)) res = await offline.checkIn(payload);
    $("#busy").hidden = true;
    busy = false;
    if (handle && handle(res)) return;
    showAnswer(res);
  }

  // A person found by name, or recognised at walk-up, proves it before anything is printed:
  // the last four digits of their phone or their whole e-mail.
  function verify(person) {
    state.verifying = person;
    const screen = $("#screen-verify");
    screen.dataset.kind = person.known ? "known" : "found";
    $("#verify-title").textContent = t(person.known ? "verify_known_title" : "verify_title");
    $("#verify-name").textContent = person.full_name || "";
    $("#verify-name").hidden = !person.full_name;
    $("#btn-verify").textContent = t(person.known ? "verify_known_submit" : "verify_submit");
    $("#verify-answer").value = "";
    verifyError("");
    show("verify");
    armVerifyIdle();
    setTimeout(() => $("#verify-answer").focus(), 0);
  }

  function verifyError(key, vars) {
    const line = $("#verify-error");
    line.dataset.key = key;
    line.textContent = key ? t(key, vars) : "";
    $("#verify-answer").classList.toggle("invalid", Boolean(key));
    $("#verify-answer").setAttribute("aria-invalid", key ? "true" : "false");
  }

  // kiosk/idle.js brings every screen back to the start (asking "still there?" first).
  function armVerifyIdle() { if (window.KioskIdle) window.KioskIdle.poke(); }

  function minutes(seconds) { return String(Math.max(1, Math.ceil((seconds || 60) / 60))); }

  function onVerifyAnswer(res) {
    const d = res.data || {};
    if (res.status === 422 && (d.error === "verification_failed" || d.error === "verification_required")) {
      verifyError("verify_wrong");
      $("#verify-answer").value = "";
      $("#verify-answer").focus();
      armVerifyIdle();
      return true;
    }
    if (res.status === 422 && d.error === "verification_unavailable") {
      result("bad", t("verify_desk"), "", t("verify_desk_detail"));
      return true;
    }
    if (res.status === 422 && d.fields && d.fields.verify) {
      verifyError("verify_format");
      $("#verify-answer").focus();
      armVerifyIdle();
      return true;
    }
    if (res.status === 429) {
      result("bad", t("too_many"), "", t("too_many_detail", { minutes: minutes(d.retry_after) }));
      return true;
    }
    return false;
  }

  function submitVerify() {
    const person = state.verifying;
    const answer = $("#verify-answer").value.trim();
    if (!person) return;
    if (!answer) { verifyError("verify_format"); return; }
    checkIn({ attendee_id: person.id, verify: answer }, onVerifyAnswer);
  }

  function onScan(code) {
    const screen = document.body.dataset.screen;
    if (screen === "pair" || screen === "register") return;
    checkIn({ code: code.trim() });
  }

  let searchSeq = 0;
  async function search(q) {
    const seq = ++searchSeq;
    if (q.trim().length < 2) { $("#results").innerHTML = ""; $("#no-results").hidden = true; return; }
    const res = await KioskApi.get("/attendees?q=" + encodeURIComponent(q));
    if (seq !== searchSeq) return;
    const list = (res.data && res.data.attendees) || [];
    const ul = $("#results");
    ul.innerHTML = "";
    if (res.status === 429) {
      $("#no-results").textContent = t("search_too_many", { seconds: String((res.data || {}).retry_after || 60) });
      $("#no-results").hidden = false;
      return;
    }
    $("#no-results").textContent = t("no_results");
    for (const p of list) {
      const li = document.createElement("li");
      const btn = document.createElement("button");
      btn.type = "button";
      btn.className = "person";
      const extra = { pcompany: p.company || "", pcontact: [p.email, p.phone].filter(Boolean).join(" · ") };
      btn.appendChild(Object.assign(document.createElement("span"), { className: "pname", textContent: p.full_name }));
      for (const [cls, text] of Object.entries(extra)) {
        if (text) btn.appendChild(Object.assign(document.createElement("span"), { className: cls, textContent: text }));
      }
      // A kiosk sees names only: the person proves it is them; staff see the record and confirm.
      btn.addEventListener("click", () => (state.device.role === "staff" ? confirm(p) : verify(p)));
      li.appendChild(btn);
      ul.appendChild(li);
    }
    $("#no-results").hidden = list.length > 0;
    document.dispatchEvent(new CustomEvent("kiosk:search", { detail: { q, found: list.length } }));
  }

  function confirm(person) {
    state.selected = person;
    const card = $("#confirm-card");
    card.innerHTML = '<div class="pname"></div><div class="pcompany"></div><div class="pcontact"></div>';
    card.querySelector(".pname").textContent = person.full_name;
    card.querySelector(".pcompany").textContent = person.company || "";
    card.querySelector(".pcontact").textContent = [person.email, person.phone].filter(Boolean).join(" · ");
    show("confirm");
  }

  async function pair(token) {
    if (token) KioskApi.setToken(token);
    if (!KioskApi.token()) { show("pair"); return false; }
    let res;
    try { res = await KioskApi.get("/me"); } catch (e) { res = { status: 0 }; }
    if ((res.status === 0 || res.status >= 502) && window.KioskOffline) res = KioskOffline.savedMe() || res;
    if (res.status !== 200 || !["kiosk", "staff"].includes(res.data.device.role)) {
      if (res.status === 401 || res.status === 403) KioskApi.forget();
      show("pair");
      $("#pair-error").hidden = !(token || KioskApi.pairedByLink);
      return false;
    }
    state.device = res.data.device;
    state.show = res.data.show;
    if (!state.device.gate) state.device.gate = Object.keys(state.show.gates)[0];
    state.defaultLang = state.show.default_language;
    window.Kiosk.device = state.device;
    window.Kiosk.showInfo = state.show;  // the show's data; Kiosk.show stays the screen switcher
    setLang(state.defaultLang);
    idle();
    document.dispatchEvent(new CustomEvent("kiosk:ready", { detail: res.data }));
    return true;
  }

  function wire() {
    document.querySelectorAll(".lang").forEach((b) => b.addEventListener("click", () => setLang(b.dataset.lang)));
    document.querySelectorAll("[data-back]").forEach((b) => b.addEventListener("click", idle));
    $("#btn-find").addEventListener("click", () => show("search"));
    $("#btn-confirm").addEventListener("click", () => {
      if (state.selected) checkIn({ attendee_id: state.selected.id });
    });
    let debounce;
    $("#search-q").addEventListener("input", (ev) => {
      clearTimeout(debounce);
      // Searches are counted per kiosk: wait for a pause in the typing.
      debounce = setTimeout(() => search(ev.target.value), 400);
    });
    $("#search-form").addEventListener("submit", (ev) => { ev.preventDefault(); search($("#search-q").value); });
    $("#verify-form").addEventListener("submit", (ev) => { ev.preventDefault(); submitVerify(); });
    $("#verify-answer").addEventListener("input", () => { if ($("#verify-error").dataset.key) verifyError(""); armVerifyIdle(); });
    $("#pair-form").addEventListener("submit", (ev) => { ev.preventDefault(); pair($("#pair-token").value); });
    Wedge.listen(onScan);
  }

  window.Kiosk = { t, setLang, show, idle, result, extendResult, showAnswer, checkIn, verify, localName,
                   lang: () => state.lang, role: () => (state.device ? state.device.role : "") };
  state.lang = document.documentElement.lang.startsWith("zh") ? "zh" : document.documentElement.lang;
  setLang(state.lang);
  wire();
  pair();
})();
