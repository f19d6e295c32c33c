// The entrance kiosk without the server: it keeps its gate's offline set (asked for every second),
// goes offline by itself after 2 s of silence and back when the server answers, decides a scan
// from the set with the server's own decision table (decide.js), remembers whom it admitted,
// and queues the check-ins in IndexedDB (they survive a reload and a power cut) to hand them to
// the server in order, once each, when it is back. See docs/offline.md.
(function () {
  "use strict";
  const POLL_MS = 1000;
  const PULL_MS = 2000;      // the set is asked for at least this often (new badges, revocations)
  const SILENCE_MS = 2000;   // this long without an answer: offline
  const ANSWER_MS = 1500;    // a poll whose answer has not begun by then counts as silence
  const BATCH = 100;
  const DB = "kiosk-offline";
  const ME = "kiosk.offline.me";
  const TEXT = {
    en: { offline: "Offline", queued: "{n} to sync", walkup_title: "Please go to the registration desk",
          walkup_detail: "We have your details; the desk prints your badge." },
    zh: { offline: "离线", queued: "{n} 条待同步", walkup_title: "请到登记台领取胸卡",
          walkup_detail: "您的信息已保存，登记台将为您打印胸卡。" },
  };
  const st = {
    online: true, lastAnswer: Date.now(), offlineSince: null, revision: null, meta: null,
    entries: new Map(), admitted: new Map(), queue: 0, walkups: 0, loaded: null, draining: false,
  };
  const enc = new TextEncoder();

  // --- IndexedDB ---------------------------------------------------------------------------
  let dbPromise = null;
  function open() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const req = indexedDB.open(DB, 1);
        req.onupgradeneeded = () => {
          const db = req.result;
          db.createObjectStore("entries");                               // lookup -> sealed greeting
          db.createObjectStore("meta");                                  // "set" -> revision, rules...
          db.createObjectStore("admitted");                              // lookup -> {at, gate, direction}
          db.createObjectStore("queue", { keyPath: "key", autoIncrement: true });
          db.createObjectStore("walkups", { keyPath: "key", autoIncrement: true });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return dbPromise;
  }

  // One transaction over `stores`; a check-in is only shown once it is on disk ("strict").
  // fn(t, done) issues its requests at once; done(value) sets what the transaction resolves to.
  async function tx(stores, mode, fn) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const t = db.transaction(stores, mode, { durability: "strict" });
      let result;
      fn(t, (v) => { result = v; });
      t.oncomplete = () => resolve(result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }

  // Several reads in one transaction: names -> requests, resolved to names -> results.
  function reads(t, requests, done) {
    const out = {};
    let left = Object.keys(requests).length;
    for (const [name, r] of Object.entries(requests)) {
      r.onsuccess = () => { out[name] = r.result; if (--left === 0) done(out); };
    }
  }

  async function load() {
    const got = await tx(["entries", "meta", "admitted", "queue", "walkups"], "readonly", (t, done) => reads(t, {
      meta: t.objectStore("meta").get("set"),
      keys: t.objectStore("entries").getAllKeys(),
      blobs: t.objectStore("entries").getAll(),
      admittedKeys: t.objectStore("admitted").getAllKeys(),
      admitted: t.objectStore("admitted").getAll(),
      queue: t.objectStore("queue").count(),
      walkups: t.objectStore("walkups").count(),
    }, done));
    if (got.meta) { st.meta = got.meta; st.revision = got.meta.revision; }
    st.entries = new Map(got.keys.map((k, i) => [k, got.blobs[i]]));
    st.admitted = new Map(got.admittedKeys.map((k, i) => [k, got.admitted[i]]));
    st.queue = got.queue;
    st.walkups = got.walkups;
    indicate();
  }

  async function apply(body) {
    const meta = {
      revision: body.revision, salt: body.salt, gate: body.gate, table: body.table,
      timezone: body.timezone, gates: body.gates, categories: body.categories,
    };
    await tx(["entries", "meta"], "readwrite", (t) => {
      const entries = t.objectStore("entries");
      if (body.full) entries.clear();
      for (const [k, v] of Object.entries(body.entries)) entries.put(v, k);
      for (const k of body.removed || []) entries.delete(k);
      t.objectStore("meta").put(meta, "set");
    });
    if (body.full) st.entries = new Map();
    for (const [k, v] of Object.entries(body.entries)) st.entries.set(k, v);
    for (const k of body.removed || []) st.entries.delete(k);
    st.meta = meta;
    st.revision = body.revision;
  }

  // --- the code, its entry ---------------------------------------------------------------
  function normalise(text) {
    const s = String(text || "").trim();
    return /^[\x00-\x7f]*$/.test(s) ? s.toUpperCase() : s;
  }

  function unb64(text) {
    const s = text.replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(s + "=".repeat((4 - (s.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }

  function b64(bytes) {
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function lookupKey(salt, code) {
    const data = new Uint8Array([...salt, 0, ...enc.encode("id"), 0, ...enc.encode(code)]);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
    return b64(digest.slice(0, 16));
  }

  async function openEntry(salt, code, lookup, blob) {
    const raw = unb64(blob);
    const base = await crypto.subtle.importKey("raw", enc.encode(code), "HKDF", false, ["deriveKey"]);
    const key = await crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt, info: enc.encode("kiosk-offline-entry-v1") },
      base, { name: "AES-GCM", length: 128 }, false, ["decrypt"]);
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: raw.slice(0, 12), additionalData: enc.encode(lookup) }, key, raw.slice(12));
    return JSON.parse(new TextDecoder().decode(plain));
  }

  // --- deciding a scan without the server -------------------------------------------------
  function hhmm(iso, timeZone) {
    return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .format(new Date(iso));
  }

  function explain(meta, kind, index) {
    const rule = meta.gate.rules[index];
    if (kind === "category") {
      return { rule: kind, allowed: rule.categories.filter((c) => meta.categories[c]).map((c) => ({ id: c, name: meta.categories[c] })) };
    }
    return { rule: kind, opens: rule.opens ? rule.opens.slice(0, 5) : null, closes: rule.closes ? rule.closes.slice(0, 5) : null };
  }

  // The answer the server would have given, in its shape (kiosk.js shows it the same way);
  // anything gone wrong here is shown as the server's trouble would be, never a stuck kiosk.
  async function checkIn(payload) {
    try { return await decideOffline(payload); } catch (e) { return { status: 0, data: {} }; }
  }

  async function decideOffline(payload) {
    if (st.loaded) await st.loaded;
    const meta = st.meta;
    if (!meta || !payload.code) return { status: 0, data: {} };
    const code = normalise(payload.code);
    const salt = unb64(meta.salt);
    const lookup = await lookupKey(salt, code);
    const blob = st.entries.get(lookup);
    if (!blob) return { status: 404, data: { status: "error", reason: "invalid", offline: true } };
    const g = await openEntry(salt, code, lookup, blob);
    const attendee = { full_name: g.n, company: "", category: g.c, category_name: meta.categories[g.c] || {}, language: g.l };
    const gate = meta.gate.id;
    let presence = g.p || "none";
    let where = g.g;
    let since = g.t;
    const mine = st.admitted.get(lookup);
    if (mine && (!since || mine.at > since)) { presence = mine.direction; where = mine.gate; since = mine.at; }
    // The kiosk's own direction (kiosk/modes.js); both ways: out for someone inside, else in.
    const device = (window.Kiosk && window.Kiosk.device) || {};
    let direction = payload.direction || device.direction || "in";
    if (direction === "both") direction = presence === "in" ? "out" : "in";
    const now = new Date();
    const local = KioskDecide.localParts(now, meta.timezone);
    const facts = KioskDecide.factsAt(meta.gate, g.c, local.day, local.clock, direction, presence, Boolean(g.r));
    const reason = KioskDecide.decide(facts, meta.table);
    if (reason === "ok") {
      const at = now.toISOString();
      const item = { code, gate, direction, nonce: payload.nonce || KioskApi.nonce(), at };
      await tx(["queue", "admitted"], "readwrite", (t) => {
        t.objectStore("queue").add(item);
        t.objectStore("admitted").put({ at, gate, direction }, lookup);
      });
      st.admitted.set(lookup, { at, gate, direction });
      st.queue += 1;
      indicate();
      return { status: 201, data: { status: "ok", direction, gate, at, first_visit: presence === "none", attendee, offline: true } };
    }
    const data = { status: "error", reason, attendee, offline: true };
    if (reason === "already_checked_in") {
      Object.assign(data, { checked_in_at: since, checked_in_local: hhmm(since, meta.timezone),
                            checked_in_gate: where, checked_in_gate_name: meta.gates[where] || {} });
    } else if (reason === "not_allowed") {
      const found = KioskDecide.refusingRule(meta.gate.rules, g.c, local.day, local.clock);
      Object.assign(data, explain(meta, found[0], found[1]));
    }
    return { status: 200, data };
  }

  // --- talking to the server --------------------------------------------------------------
  function headers() {
    return { Authorization: "Bearer " + (KioskApi.token() || ""), "Content-Type": "application/json" };
  }

  function answered() {
    st.lastAnswer = Date.now();
    if (!st.online) {
      st.online = true;
      st.offlineSince = null;
      indicate();
      document.dispatchEvent(new CustomEvent("kiosk:online"));
    }
  }

  function watch() {
    if (st.online && Date.now() - st.lastAnswer >= SILENCE_MS) {
      st.online = false;
      st.offlineSince = st.lastAnswer;
      indicate();
      document.dispatchEvent(new CustomEvent("kiosk:offline"));
    }
  }

  // Every second, a short question: is the server there, and has the set moved on? Only this
  // decides online or offline; the set itself may take long to come (pull).
  async function ping() {
    if (!KioskApi.token()) return;
    const params = new URLSearchParams({ peek: "1", queue: String(st.queue + st.walkups) });
    if (st.revision) params.set("since", st.revision);
    if (st.offlineSince) params.set("offline_since", new Date(st.offlineSince).toISOString());
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), ANSWER_MS);
    let res;
    try {
      res = await fetch("/api/v1/offline/set?" + params, { headers: headers(), signal: ctrl.signal, cache: "no-store" });
      if (res.status >= 500) return;   // a proxy answering for a server that is gone
      answered();
      const body = res.status === 200 ? await res.json() : null;
      if (body && !body.unchanged) pull();
    } catch (e) {
      return;
    } finally {
      clearTimeout(timer);
    }
    if (st.queue || st.walkups) drain();
    keepForm();
  }

  // The set, or its changes since the revision held; the first one can be large (115 bytes a
  // badge) and the server may still be building it, so no hurry here.
  let pulling = false;
  async function pull() {
    if (pulling || !KioskApi.token()) return;
    pulling = true;
    try {
      const params = new URLSearchParams();
      if (st.revision) params.set("since", st.revision);
      const res = await fetch("/api/v1/offline/set?" + params, { headers: headers(), cache: "no-store" });
      if (res.status !== 200) return;
      const body = await res.json();
      if (!body.unchanged) await apply(body);
    } catch (e) {
      /* a set cut short: the next pull asks again from the revision held */
    } finally {
      pulling = false;
    }
  }

  async function head(store) {
    return tx([store], "readonly", (t, done) => reads(t, { items: t.objectStore(store).getAll(null, BATCH) }, (r) => done(r.items)));
  }

  async function drop(store, keys) {
    await tx([store], "readwrite", (t) => { keys.forEach((k) => t.objectStore(store).delete(k)); });
  }

  // Oldest first, a batch at a time; a batch sent again (its answer lost) records nothing new.
  async function drain() {
    if (st.draining) return;
    st.draining = true;
    try {
      for (;;) {
        const items = await head("queue");
        if (!items.length) break;
        const left = Math.max(0, st.queue - items.length);
        const res = await fetch("/api/v1/offline/checkins", {
          method: "POST", headers: headers(),
          body: JSON.stringify({ checkins: items.map(({ key, ...item }) => item), queue: left }),
        });
        if (res.status !== 200) break;
        await drop("queue", items.map((i) => i.key));
        st.queue = left;
        indicate();
      }
      for (;;) {
        const items = await head("walkups");
        if (!items.length) break;
        const done = [];
        for (const item of items) {
          const res = await fetch("/api/v1/registrations", { method: "POST", headers: headers(), body: JSON.stringify(item.body) });
          if (![201, 409, 422].includes(res.status)) break;
          done.push(item.key);   // registered, already known (409) or refused for good (422)
        }
        if (!done.length) break;
        await drop("walkups", done);
        st.walkups = Math.max(0, st.walkups - done.length);
        indicate();
        if (done.length < items.length) break;
      }
    } catch (e) {
      /* the server went away again: the rest waits for the next answer */
    } finally {
      st.draining = false;
    }
  }

  // A walk-up registration the server cannot take now: kept, sent when it is back.
  async function queueWalkup(body) {
    await tx(["walkups"], "readwrite", (t) => { t.objectStore("walkups").add({ body, at: new Date().toISOString() }); });
    st.walkups += 1;
    indicate();
  }

  // --- the staff's corner indicator -------------------------------------------------------
  function text(key, vars) {
    const lang = window.Kiosk && window.Kiosk.lang ? window.Kiosk.lang() : "en";
    let s = (TEXT[lang] || TEXT.en)[key];
    for (const [k, v] of Object.entries(vars || {})) s = s.split("{" + k + "}").join(v);
    return s;
  }

  function indicate() {
    document.body.dataset.network = st.online ? "online" : "offline";
    let el = document.getElementById("offline-state");
    if (!el) {
      el = document.createElement("div");
      el.id = "offline-state";
      el.setAttribute("role", "status");
      el.style.cssText = "position:fixed;left:8px;bottom:6px;font-size:12px;opacity:.6;color:inherit;pointer-events:none;z-index:5";
      document.body.appendChild(el);
    }
    const pending = st.queue + st.walkups;
    const parts = [];
    if (!st.online) parts.push(text("offline"));
    if (pending) parts.push(text("queued", { n: String(pending) }));
    el.textContent = parts.join(" · ");
    el.hidden = !parts.length;
    el.dataset.queue = String(st.queue);
  }

  // --- the page's pairing, kept for a reload without the server ----------------------------
  document.addEventListener("kiosk:ready", (ev) => {
    try { localStorage.setItem(ME, JSON.stringify(ev.detail)); } catch (e) { /* full: nothing kept */ }
  });
  document.addEventListener("kiosk:lang", indicate);

  // The walk-up form, kept for registering without the server.
  const FORM = "kiosk.offline.form";
  let formKept = false;
  async function keepForm() {
    if (formKept) return;
    formKept = true;
    try {
      const res = await KioskApi.get("/registration-form");
      if (res.status === 200) localStorage.setItem(FORM, JSON.stringify(res.data));
    } catch (e) { formKept = false; }
  }

  function savedForm() {
    try {
      const form = JSON.parse(localStorage.getItem(FORM) || "null");
      return form ? { status: 200, data: form } : null;
    } catch (e) { return null; }
  }

  function savedMe() {
    try {
      const me = JSON.parse(localStorage.getItem(ME) || "null");
      return me && KioskApi.token() ? { status: 200, data: me, offline: true } : null;
    } catch (e) { return null; }
  }

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/kiosk-sw.js", { scope: "/kiosk" }).catch(() => {});
  }

  st.loaded = load().catch(() => {});
  async function loop() {
    await ping();
    setTimeout(loop, POLL_MS);
  }
  st.loaded.then(() => { loop(); pull(); setInterval(pull, PULL_MS); });
  setInterval(watch, 200);

  window.KioskOffline = {
    isOffline: () => !st.online,
    checkIn,
    queueWalkup,
    savedMe,
    savedForm,
    drain,
    state: () => ({ online: st.online, offlineSince: st.offlineSince, queue: st.queue, walkups: st.walkups,
                    revision: st.revision, size: st.entries.size }),
    text,
  };
})();
