// The exhibitor page: pair once, scan badges (wedge or camera) or photograph business cards,
// qualify leads, list and download. Every scan, card photo and edit goes through the Outbox
// first, so nothing is lost while the Wi-Fi is down.
(function () {
  "use strict";
  const script = document.currentScript;
  const LANGS = script.dataset.languages.split(",");
  const TEXT = window.ExhibitorText;
  const $ = (id) => document.getElementById(id);
  const state = {
    lang: localStorage.getItem("exhibitor.lang") || script.dataset.default,
    me: JSON.parse(localStorage.getItem("exhibitor.me") || "null"),
    editing: null, // {ref, leadId, lead}; a business card adds {kind: "card", cardRef, card, saved}
    photos: [], // the card photos taken, not yet sent to be read: [{blob, url}]
    photoAt: null,
    leads: JSON.parse(localStorage.getItem("exhibitor.leads") || "[]"),
    waiting: [], // scans in the outbox, not yet answered by the server
    pendingCount: null,
  };
  let listTimer = null;

  function t(key, vars) {
    const table = TEXT[state.lang] || TEXT.en;
    // A count of one takes the key's singular ("1 scan"), where the language has one.
    if (vars && Number(vars.n) === 1 && (table[key + "_one"] || TEXT.en[key + "_one"])) key += "_one";
    let s = table[key] || TEXT.en[key] || key;
    Object.entries(vars || {}).forEach(([k, v]) => { s = s.replace("{" + k + "}", v); });
    return s;
  }
  function label(value) {
    if (typeof value === "string") return value;
    return (value && (value[state.lang] || value.en || Object.values(value)[0])) || "";
  }

  function setLang(lang) {
    if (!LANGS.includes(lang)) return;
    state.lang = lang;
    localStorage.setItem("exhibitor.lang", lang);
    document.documentElement.lang = lang === "zh" ? "zh-CN" : lang;
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    document.querySelectorAll("[data-tp]").forEach((el) => { el.placeholder = t(el.dataset.tp); });
    document.querySelectorAll("[data-ta]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.ta)); });
    document.querySelectorAll(".lang").forEach((b) => b.classList.toggle("on", b.dataset.lang === lang));
    if (state.me) renderMe();
    if (state.editing) renderEditor(true);
    renderList();
    updateCounter();
  }

  function show(view) {
    ["pair", "main"].forEach((v) => { $("view-" + v).hidden = v !== view; });
  }

  // ---- feedback: a short beep and a buzz the moment a badge is read ----
  let audio = null;
  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = ok ? 1320 : 330;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + (ok ? 0.12 : 0.35));
    } catch (e) { /* no audio: vibration and the banner still tell */ }
    if (navigator.vibrate) navigator.vibrate(ok ? 80 : [60, 60, 60]);
  }

  function feedback(kind, title, detail) {
    const box = $("feedback");
    box.hidden = false;
    box.className = "feedback " + kind;
    box.replaceChildren();
    const h = document.createElement("strong");
    h.textContent = title;
    box.append(h);
    if (detail) {
      const p = document.createElement("span");
      p.textContent = detail;
      box.append(p);
    }
  }

  function visitorTitle(lead) {
    const v = lead.visitor;
    return v.full_name || v.company || t("visitor") + " #" + (v.id || lead.id);
  }
  function visitorSub(lead) {
    const v = lead.visitor;
    const cats = (state.me && state.me.categories) || {};
    const category = cats[v.category] ? label(cats[v.category]) : v.category;
    const parts = v.full_name ? [v.company, v.job_title] : [category, v.country];
    return parts.filter(Boolean).join(" · ");
  }

  // ---- scanning ----
  async function scan(raw) {
    const code = String(raw || "").trim();
    if (code.length < 6) return;
    await settleCard();
    const ref = window.KioskApi.nonce();
    await window.Outbox.add({ kind: "scan", code, client_ref: ref, scanned_at: new Date().toISOString() });
    beep(true);
    state.editing = { ref, leadId: null, lead: null };
    feedback("pending", t("saved_offline"), "");
    renderEditor();
    updateCounter();
    syncNow();
  }

  // ---- the outbox: send the oldest items; "retry" keeps them for later ----
  async function scanAnswered(item, status, lead) {
    if (status === 200 || status === 201) {
      await window.Outbox.setRef(item.client_ref, lead.id);
      onLead(lead, item.client_ref, status === 201);
    } else if (state.editing && state.editing.ref === item.client_ref) {
      beep(false);
      feedback("bad", t("invalid"), item.code);
      state.editing = null;
      renderEditor();
    }
  }
  const scanBody = (i) => ({ code: i.code, client_ref: i.client_ref, scanned_at: i.scanned_at });

  async function send(items) {
    const api = window.KioskApi;
    const run = [];
    for (const i of items) { if (i.kind !== "scan") break; run.push(i); }
    if (run.length > 1) {
      // A backlog after an outage: consecutive scans go together, still in order.
      const res = await api.post("/leads/batch", { scans: run.map(scanBody) });
      if (res.status !== 200) return "retry";
      for (let k = 0; k < run.length; k++) {
        const r = res.data.results[k];
        await scanAnswered(run[k], r.status, r.lead);
      }
      return run.length;
    }
    const item = items[0];
    let res;
    if (item.kind === "card") return sendCard(item);
    if (item.kind === "cardlead") return sendCardLead(item);
    if (item.kind === "scan") {
      res = await api.post("/leads", scanBody(item));
      if ([200, 201, 400, 404, 422].includes(res.status)) {
        await scanAnswered(item, res.status, res.data.lead);
        return 1;
      }
      return "retry";
    }
    const leadId = item.lead_id || (await window.Outbox.getRef(item.ref));
    if (!leadId) return 1; // its scan was refused: nothing to edit
    if (item.kind === "edit") res = await api.patch("/leads/" + leadId, item.changes);
    else res = await api.post("/leads/" + leadId + "/consent", { agree: true, language: item.language });
    if (res.status === 200) { onLead(res.data.lead, item.ref, false); return 1; }
    if (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 429) return 1;
    return "retry";
  }

  // ---- business cards: the photo is read on the server, then staff confirm it as a lead ----
  async function sendCard(item) {
    const form = new FormData();
    item.images.forEach((blob, i) => form.append("image", blob, i ? "back.jpg" : "front.jpg"));
    form.append("client_ref", item.client_ref);
    form.append("taken_at", item.taken_at);
    const res = await window.KioskApi.upload("/cards", form);
    if (res.status === 200 || res.status === 201) {
      await window.Outbox.setCard(item.client_ref, res.data.card.id);
      onCard(res.data.card, item.client_ref);
      return 1;
    }
    if ([400, 404, 413, 422].includes(res.status)) {
      cardFailed(item.client_ref, res.data);
      return 1;
    }
    return "retry";
  }

  async function sendCardLead(item) {
    const cardId = await window.Outbox.getCard(item.card_ref);
    if (!cardId) return 1; // its photo could not be read: nothing to save
    const body = {
      card_id: cardId, client_ref: item.ref, scanned_at: item.taken_at,
      rating: item.rating, notes: item.notes, answers: item.answers, follow_up: item.follow_up,
    };
    if (item.fields) body.fields = item.fields;
    let res = await window.KioskApi.post("/leads", body);
    if (res.status === 422 && item.fields) {
      // A correction the server refuses (a mistyped e-mail): keep the card as read, say so.
      delete body.fields;
      const refused = Object.values(res.data.fields || {}).join("; ");
      res = await window.KioskApi.post("/leads", body);
      if (res.status === 200 || res.status === 201) feedback("bad", t("card_invalid"), refused);
    }
    if (res.status === 200 || res.status === 201) {
      await window.Outbox.setRef(item.ref, res.data.lead.id);
      onLead(res.data.lead, item.ref, res.status === 201);
      return 1;
    }
    if (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 429) return 1;
    return "retry";
  }

  function onCard(card, cardRef) {
    const ed = state.editing;
    if (!ed || ed.cardRef !== cardRef) return;
    ed.card = card;
    if (!ed.saved) {
      $("feedback").hidden = true;
      $("card-inputs").hidden = false;
      fillCard(card.fields, true);
      ed.filled = true;
    }
    renderHeader();
    renderCardStatus();
  }

  function cardFailed(cardRef, answer) {
    const ed = state.editing;
    if (!ed || ed.cardRef !== cardRef) return;
    beep(false);
    feedback("bad", t("card_unreadable"), (answer && answer.message) || "");
    state.editing = null;
    renderEditor();
  }

  function photoThumbs(box, urls) {
    box.replaceChildren();
    urls.forEach((url) => {
      const img = document.createElement("img");
      img.src = url;
      img.alt = "";
      box.append(img);
    });
  }

  async function takePhoto(input, back) {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    const blob = await window.CardPhoto.shrink(file);
    if (!back) {
      state.photos.forEach((p) => URL.revokeObjectURL(p.url));
      state.photos = [];
      state.photoAt = new Date().toISOString();
    }
    state.photos = state.photos.slice(0, back ? 1 : 0);
    state.photos.push({ blob, url: URL.createObjectURL(blob) });
    $("card-taken").hidden = false;
    $("card-back-label").hidden = state.photos.length > 1;
    photoThumbs($("card-thumbs"), state.photos.map((p) => p.url));
    $("card-taken").scrollIntoView({ block: "nearest" });
  }

  function dropPhotos() {
    state.photos.forEach((p) => URL.revokeObjectURL(p.url));
    state.photos = [];
    $("card-taken").hidden = true;
  }

  async function readCard() {
    if (!state.photos.length) return;
    await settleCard();
    const cardRef = window.KioskApi.nonce();
    const taken = state.photoAt || new Date().toISOString();
    await window.Outbox.add({
      kind: "card", client_ref: cardRef, taken_at: taken, images: state.photos.map((p) => p.blob),
    });
    beep(true);
    state.editing = {
      kind: "card", ref: window.KioskApi.nonce(), cardRef, taken_at: taken, card: null,
      saved: false, leadId: null, lead: null, urls: state.photos.map((p) => p.url),
    };
    state.photos = [];
    $("card-taken").hidden = true;
    $("feedback").hidden = true;
    renderEditor();
    updateCounter();
    const ed = state.editing;
    await syncNow();
    if (state.editing === ed && !ed.card) {
      ed.offline = true;
      feedback("pending", t("card_saved_offline"), "");
      renderHeader();
      renderCardStatus();
    }
  }

  function cardFieldsFromForm() {
    const f = $("editor").elements;
    const phones = [...$("card-phones").querySelectorAll(".phone")]
      .map((row) => ({ number: row.querySelector("input").value.trim(), type: row.querySelector("select").value }))
      .filter((p) => p.number);
    return {
      full_name: f.c_full_name.value.trim(),
      company: f.c_company.value.trim(),
      job_title: f.c_job_title.value.trim(),
      emails: [...$("card-emails").querySelectorAll("input")].map((i) => i.value.trim()).filter(Boolean),
      phones,
      website: f.c_website.value.trim(),
      address: f.c_address.value.trim(),
    };
  }

  function fillCard(fields, editable) {
    const f = $("editor").elements;
    f.c_full_name.value = fields.full_name || "";
    f.c_company.value = fields.company || "";
    f.c_job_title.value = fields.job_title || "";
    f.c_website.value = fields.website || "";
    f.c_address.value = fields.address || "";
    const emails = $("card-emails");
    emails.replaceChildren();
    [...(fields.emails || []), ...(editable ? [""] : [])].forEach((value) => {
      const input = document.createElement("input");
      input.type = "email";
      input.value = value;
      input.autocomplete = "off";
      emails.append(input);
    });
    const phones = $("card-phones");
    phones.replaceChildren();
    [...(fields.phones || []), ...(editable ? [{ number: "", type: "mobile" }] : [])].forEach((p) => {
      const row = document.createElement("div");
      row.className = "phone";
      const input = document.createElement("input");
      input.type = "tel";
      input.value = p.number;
      const select = document.createElement("select");
      ["mobile", "office", "fax", "other"].forEach((kind) => {
        const o = document.createElement("option");
        o.value = kind;
        o.textContent = t("p_" + kind);
        o.selected = kind === p.type;
        select.append(o);
      });
      row.append(input, select);
      phones.append(row);
    });
    $("card-inputs").querySelectorAll("input, textarea, select").forEach((el) => { el.disabled = !editable; });
  }

  function renderCardStatus() {
    const ed = state.editing;
    const el = $("card-status");
    if (!ed || ed.kind !== "card" || ed.card || ed.saved) { el.textContent = ""; return; }
    el.textContent = ed.offline ? t("card_offline") : t("card_reading");
  }

  // A card photographed becomes a lead: saved with the fields as corrected, or, when staff move
  // on without saving, as read (once the server has read it).
  async function settleCard() {
    const ed = state.editing;
    if (!ed || ed.kind !== "card" || ed.saved) return;
    ed.saved = true;
    await window.Outbox.add({
      kind: "cardlead", ref: ed.ref, card_ref: ed.cardRef, taken_at: ed.taken_at,
      fields: ed.card ? cardFieldsFromForm() : null, ...editorChanges(),
    });
    updateCounter();
  }

  async function showCardPhotos(lead) {
    const box = $("card-photos");
    box.replaceChildren();
    if (!lead.card) return;
    try {
      const res = await fetch(lead.card.image_url, {
        headers: { Authorization: "Bearer " + window.KioskApi.token() },
      });
      if (!res.ok) return;
      const url = URL.createObjectURL(await res.blob());
      if (state.editing && state.editing.lead && state.editing.lead.id === lead.id) photoThumbs(box, [url]);
    } catch (e) { /* offline: the fields are shown without the photo */ }
  }

  function onLead(lead, ref, isNew) {
    const i = state.leads.findIndex((l) => l.id === lead.id);
    if (i >= 0) state.leads[i] = lead; else state.leads.unshift(lead);
    localStorage.setItem("exhibitor.leads", JSON.stringify(state.leads.slice(0, 2000)));
    const ed = state.editing;
    if (ed && ((ref && ed.ref === ref) || ed.leadId === lead.id)) {
      const fresh = !ed.lead;
      ed.leadId = lead.id;
      ed.lead = lead;
      if (fresh) {
        const card = lead.source === "business_card" || lead.card
          ? " · " + (lead.contact_only ? t("contact_only") : t("registered")) : "";
        feedback("ok", visitorTitle(lead),
          (isNew ? t("new_lead") : t("again", { n: lead.scans })) +
          (lead.visitor.contact_shared ? " · " + visitorSub(lead) : " · " + t("no_contact")) + card);
        if (ed.kind === "card") renderHeader();
        else renderEditor();
      } else {
        renderHeader();
      }
    }
    document.dispatchEvent(new CustomEvent("exhibitor:synced", { detail: { lead } }));
  }

  async function updateCounter() {
    const n = await window.Outbox.count();
    if (n !== state.pendingCount && !$("tab-list").hidden) {
      clearTimeout(listTimer);
      listTimer = setTimeout(loadList, 300);
    }
    state.pendingCount = n;
    const el = $("pending");
    el.dataset.count = String(n);
    el.textContent = n ? t("pending", { n }) : t("synced");
    el.classList.toggle("waiting", n > 0);
  }

  function syncNow() {
    if (!window.KioskApi.token()) return Promise.resolve();
    return window.Outbox.drain(send, updateCounter).then(updateCounter);
  }

  // ---- the lead editor ----
  function renderHeader() {
    const ed = state.editing;
    if (ed.kind === "card" && !ed.lead) {
      const f = ed.card ? ed.card.fields : {};
      $("ed-title").textContent = ed.card ? f.full_name || f.company || t("card_tag")
        : t(ed.offline ? "card_waiting" : "card_reading");
      $("ed-sub").textContent = ed.card ? [f.company, f.job_title].filter(Boolean).join(" · ") : "";
    } else {
      $("ed-title").textContent = ed.lead ? visitorTitle(ed.lead) : t("saved_offline");
      $("ed-sub").textContent = ed.lead ? visitorSub(ed.lead) : "";
    }
    $("btn-consent").hidden = !(ed.lead && !ed.lead.visitor.contact_shared && state.me && state.me.consent);
  }

  // keep: redrawn in another language, with what staff already chose and typed.
  function renderEditor(keep) {
    const form = $("editor");
    const ed = state.editing;
    const typed = keep && ed && ed.drawn && !form.hidden ? editorChanges() : null;
    form.hidden = !ed;
    if (!ed) return;
    ed.drawn = true;
    renderHeader();
    const cardLead = ed.lead && ed.lead.card;
    $("card-fields").hidden = !(ed.kind === "card" || cardLead);
    const legend = $("card-fields").querySelector("legend");
    legend.dataset.t = ed.kind === "card" && !ed.saved ? "card_check" : "card_details";
    legend.textContent = t(legend.dataset.t);
    $("card-photos").replaceChildren();
    if (ed.kind === "card" && !ed.saved) {
      photoThumbs($("card-photos"), ed.urls || []);
      $("card-inputs").hidden = !ed.card;
      // Redrawn (a language switch): keep what staff already corrected.
      if (ed.card) fillCard(ed.filled ? cardFieldsFromForm() : ed.card.fields, true);
      ed.filled = !!ed.card;
    } else if (cardLead) {
      $("card-inputs").hidden = false;
      fillCard(ed.lead.card.fields, false);
      showCardPhotos(ed.lead);
    }
    renderCardStatus();
    const lead = typed
      ? { ...typed, rating: typed.rating || "", answers: Object.fromEntries(
        Object.entries(typed.answers).filter(([, v]) => v !== null)) }
      : ed.lead || { rating: "", notes: "", answers: {}, follow_up: [] };
    form.querySelectorAll("input[name=rating]").forEach((r) => { r.checked = r.value === lead.rating; });
    form.elements.notes.value = lead.notes || "";
    const qbox = $("questions");
    qbox.replaceChildren();
    ((state.me && state.me.questions) || []).forEach((q) => {
      const wrap = document.createElement("fieldset");
      wrap.className = "question";
      wrap.dataset.qid = q.id;
      wrap.dataset.type = q.type;
      const legend = document.createElement("legend");
      legend.textContent = label(q.label);
      wrap.append(legend);
      const value = lead.answers[q.id];
      if (q.type === "text") {
        const input = document.createElement("input");
        input.name = "q:" + q.id;
        input.value = value || "";
        wrap.append(input);
      } else {
        q.options.forEach((o) => {
          const l = document.createElement("label");
          l.className = "chip";
          const input = document.createElement("input");
          input.type = q.type === "single" ? "radio" : "checkbox";
          input.name = "q:" + q.id;
          input.value = o.id;
          input.checked = q.type === "single" ? value === o.id : (value || []).includes(o.id);
          const span = document.createElement("span");
          span.textContent = label(o.label);
          l.append(input, span);
          wrap.append(l);
        });
      }
      qbox.append(wrap);
    });
    const fbox = $("follow-ups");
    fbox.replaceChildren();
    ((state.me && state.me.follow_ups) || []).forEach((f) => {
      const l = document.createElement("label");
      l.className = "chip";
      const input = document.createElement("input");
      input.type = "checkbox";
      input.name = "follow_up";
      input.value = f;
      input.checked = lead.follow_up.includes(f);
      const span = document.createElement("span");
      span.textContent = t(f);
      l.append(input, span);
      fbox.append(l);
    });
  }

  function editorChanges() {
    const form = $("editor");
    const rating = form.querySelector("input[name=rating]:checked");
    const answers = {};
    form.querySelectorAll(".question").forEach((fs) => {
      const inputs = [...fs.querySelectorAll("input")];
      if (fs.dataset.type === "text") answers[fs.dataset.qid] = inputs[0].value.trim() || null;
      else if (fs.dataset.type === "single") {
        const on = inputs.find((i) => i.checked);
        answers[fs.dataset.qid] = on ? on.value : null;
      } else answers[fs.dataset.qid] = inputs.filter((i) => i.checked).map((i) => i.value);
    });
    return {
      rating: rating ? rating.value : null,
      notes: form.elements.notes.value,
      answers,
      follow_up: [...form.querySelectorAll("input[name=follow_up]:checked")].map((i) => i.value),
    };
  }

  async function saveEditor(ev) {
    ev.preventDefault();
    const ed = state.editing;
    if (!ed) return;
    if (ed.kind === "card" && !ed.saved) {
      await settleCard();
      feedback("ok", t("saved"), ed.card ? cardFieldsFromForm().full_name : "");
      renderEditor();
      syncNow();
      return;
    }
    await window.Outbox.add({ kind: "edit", ref: ed.ref, lead_id: ed.leadId, changes: editorChanges() });
    feedback("ok", t("saved"), ed.lead ? visitorTitle(ed.lead) : "");
    updateCounter();
    syncNow();
  }

  async function openLead(lead) {
    await settleCard();
    state.editing = { ref: null, leadId: lead.id, lead };
    $("feedback").hidden = true;
    selectTab("scan");
    renderEditor();
    $("editor").scrollIntoView({ block: "start" });
  }

  // ---- consent at the booth ----
  function askConsent() {
    const c = state.me.consent;
    $("consent-text").textContent = label(c.text);
    $("consent-sheet").hidden = false;
  }
  async function agree() {
    $("consent-sheet").hidden = true;
    const ed = state.editing;
    await window.Outbox.add({ kind: "consent", ref: ed.ref, lead_id: ed.leadId, language: state.lang });
    updateCounter();
    syncNow();
  }

  // ---- the lead list ----
  function query() {
    const f = $("filter").elements;
    const p = new URLSearchParams();
    if (f.q.value.trim()) p.set("q", f.q.value.trim());
    if (f.rating.value) p.set("rating", f.rating.value);
    if (f.question.value && f.answer.value.trim()) p.set("answer." + f.question.value, f.answer.value.trim());
    return p.toString();
  }

  async function loadList() {
    const qs = query();
    // Scans still in the outbox are listed too (without a filter: they have no answers yet).
    state.waiting = qs ? [] : (await window.Outbox.all())
      .filter((i) => i.kind === "scan" || i.kind === "card").reverse();
    try {
      const res = await window.KioskApi.get("/leads" + (qs ? "?" + qs : ""));
      if (res.status === 200) {
        state.listed = res.data.leads;
        if (!qs) {
          state.leads = res.data.leads;
          localStorage.setItem("exhibitor.leads", JSON.stringify(state.leads.slice(0, 2000)));
        }
      }
    } catch (e) {
      state.listed = null; // offline: show what this device knows
    }
    renderList();
  }

  function when(iso) {
    return new Date(iso).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB",
      { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }

  function renderList() {
    const list = $("lead-list");
    if (!list) return;
    const leads = state.listed || state.leads;
    list.replaceChildren();
    state.waiting.forEach((item) => {
      const li = document.createElement("li");
      li.className = "waiting";
      li.dataset.ref = item.client_ref;
      const name = document.createElement("strong");
      name.textContent = item.kind === "card" ? t("card_waiting") : t("waiting");
      const time = document.createElement("time");
      time.textContent = when(item.scanned_at || item.taken_at);
      li.append(name, time);
      if (item.kind === "scan") {
        li.addEventListener("click", () => {
          state.editing = { ref: item.client_ref, leadId: null, lead: null };
          renderEditor();
          selectTab("scan");
        });
      }
      list.append(li);
    });
    leads.forEach((lead) => {
      const li = document.createElement("li");
      li.dataset.leadId = lead.id;
      const name = document.createElement("strong");
      name.textContent = visitorTitle(lead);
      const sub = document.createElement("span");
      const marks = lead.contact_only ? [t("contact_only")] : [];
      sub.textContent = [visitorSub(lead), ...marks, t("scans", { n: lead.scans })].filter(Boolean).join(" · ");
      if (lead.source === "business_card" || lead.card) {
        const tag = document.createElement("b");
        tag.className = "tag";
        tag.textContent = t("card_tag");
        name.append(" ", tag);
      }
      const time = document.createElement("time");
      time.textContent = when(lead.last_scanned_at);
      li.append(name, sub, time);
      if (lead.rating) {
        const chip = document.createElement("em");
        chip.className = "rating " + lead.rating;
        chip.textContent = t(lead.rating);
        li.append(chip);
      }
      li.addEventListener("click", () => openLead(lead));
      list.append(li);
    });
    $("list-count").textContent = t("count", { n: leads.length }) +
      (state.waiting.length ? " · " + t("pending", { n: state.waiting.length }) : "");
  }

  async function download(ext) {
    const res = await fetch("/api/v1/leads." + ext + "?" + query(), {
      headers: { Authorization: "Bearer " + window.KioskApi.token() },
    });
    if (!res.ok) return;
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = "leads." + ext;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function selectTab(name) {
    document.querySelectorAll(".tab").forEach((b) => b.classList.toggle("on", b.dataset.tab === name));
    $("tab-scan").hidden = name !== "scan";
    $("tab-list").hidden = name !== "list";
    if (name === "list") loadList();
  }

  // ---- pairing and start ----
  function renderMe() {
    // The booth number first: a long company name may be cut, the number never.
    $("booth-name").textContent = state.me.exhibitor.booth + " · " + state.me.exhibitor.name;
    $("booth-name").title = state.me.exhibitor.name;
    $("device-name").textContent = state.me.device.name;
    const sel = $("filter-question");
    sel.querySelectorAll("option[data-q]").forEach((o) => o.remove());
    (state.me.questions || []).forEach((q) => {
      const o = document.createElement("option");
      o.value = q.id;
      o.dataset.q = "1";
      o.textContent = label(q.label);
      sel.append(o);
    });
  }

  async function loadMe() {
    try {
      const res = await window.KioskApi.get("/exhibitor");
      if (res.status === 200) {
        state.me = res.data;
        localStorage.setItem("exhibitor.me", JSON.stringify(res.data));
      } else if (res.status === 401 || res.status === 403) {
        return false;
      }
    } catch (e) { /* offline: the copy kept from last time will do */ }
    if (!state.me) return false;
    renderMe();
    return true;
  }

  // Other devices of the same booth capture leads too: refresh the list when one arrives.
  let socket = null;
  function listen() {
    if (socket || !window.io) return;
    socket = window.io("/live", { auth: { token: window.KioskApi.token() }, transports: ["websocket", "polling"] });
    socket.on("lead", () => {
      if (!$("tab-list").hidden) { clearTimeout(listTimer); listTimer = setTimeout(loadList, 300); }
    });
  }

  async function start() {
    if (window.KioskApi.token() && (await loadMe())) {
      show("main");
      listen();
      setLang(state.lang);
      syncNow();
      document.dispatchEvent(new Event("exhibitor:ready"));
    } else {
      show("pair");
    }
  }

  document.querySelectorAll(".lang").forEach((b) => b.addEventListener("click", () => setLang(b.dataset.lang)));
  document.querySelectorAll(".tab").forEach((b) => b.addEventListener("click", () => selectTab(b.dataset.tab)));
  $("pair-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    window.KioskApi.setToken($("pair-token").value);
    localStorage.removeItem("exhibitor.me");
    state.me = null;
    $("pair-error").hidden = true;
    if (!(await loadMe())) { $("pair-error").hidden = false; return; }
    start();
  });
  $("manual-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    scan($("manual-code").value);
    $("manual-code").value = "";
  });
  $("btn-camera").addEventListener("click", async () => {
    try {
      $("btn-camera").hidden = true;
      $("btn-camera-off").hidden = false;
      await window.Camera.start($("camera"), (code) => {
        $("btn-camera").hidden = false;
        $("btn-camera-off").hidden = true;
        scan(code);
      });
    } catch (e) {
      $("btn-camera").hidden = false;
      $("btn-camera-off").hidden = true;
      feedback("bad", t("camera_failed"), "");
    }
  });
  $("btn-camera-off").addEventListener("click", () => {
    window.Camera.stop($("camera"));
    $("btn-camera").hidden = false;
    $("btn-camera-off").hidden = true;
  });
  $("editor").addEventListener("submit", saveEditor);
  $("btn-close").addEventListener("click", async () => {
    await settleCard();
    state.editing = null;
    renderEditor();
    syncNow();
  });
  $("card-camera").addEventListener("change", (ev) => takePhoto(ev.target, false));
  $("card-gallery").addEventListener("change", (ev) => takePhoto(ev.target, false));
  $("card-back").addEventListener("change", (ev) => takePhoto(ev.target, true));
  $("card-read").addEventListener("click", readCard);
  $("card-cancel").addEventListener("click", dropPhotos);
  $("btn-consent").addEventListener("click", askConsent);
  $("consent-agree").addEventListener("click", agree);
  $("consent-cancel").addEventListener("click", () => { $("consent-sheet").hidden = true; });
  // The answer box shows once a question is chosen: it filters that question's answers.
  const showAnswer = () => { $("filter").elements.answer.hidden = !$("filter-question").value; };
  $("filter-question").addEventListener("change", showAnswer);
  showAnswer();
  $("filter").addEventListener("input", () => { clearTimeout(listTimer); listTimer = setTimeout(loadList, 250); });
  $("filter").addEventListener("submit", (ev) => { ev.preventDefault(); loadList(); });
  $("dl-csv").addEventListener("click", () => download("csv"));
  $("dl-vcf").addEventListener("click", () => download("vcf"));
  window.Wedge.listen(scan);
  window.addEventListener("online", syncNow);
  setInterval(syncNow, 2000);

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(script.dataset.worker, { scope: "./" }).catch(() => {});
  }

  window.Exhibitor = { scan, readCard, syncNow, setLang, t, pending: () => window.Outbox.count() };
  setLang(state.lang);
  start();
})();
