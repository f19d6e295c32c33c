// Walk-up registration in short steps (who you are, name, work, contact, consents), consents
// unticked, then check-in and badge. The server's field errors lead back to their step.
(function () {
  "use strict";
  const IDLE_MS = 120000;
  const INPUTS = {
    full_name: { type: "text", autocomplete: "name" },
    company: { type: "text", autocomplete: "organization" },
    job_title: { type: "text", autocomplete: "organization-title" },
    // The kiosk's own keyboard serves every field (keyboard.js): a device's keyboard stays shut.
    email: { type: "text", "data-osk": "email", inputmode: "none", autocomplete: "email", autocapitalize: "off", spellcheck: "false" },
    phone: { type: "tel", "data-osk": "digits", inputmode: "none", autocomplete: "tel" },
    country: { type: "text", autocomplete: "country-name" },
    city: { type: "text", autocomplete: "address-level2" },
  };
  const $ = (sel) => document.querySelector(sel);
  // Fields asked on one step together (at most two a step).
  const GROUPS = { company: "work", job_title: "work", purchasing_role: "work", email: "contact", phone: "contact",
                   country: "place", city: "place" };
  const state = { form: null, category: null, values: {}, consents: {}, errors: {}, known: null, timer: null, step: 0 };
  const t = (k, v) => window.Kiosk.t(k, v);

  function errorText(field, message) {
    if (field.startsWith("consents.")) return t(message === "required" ? "err_consent" : "err_invalid");
    if (message === "required") return t("err_required");
    if (field === "email") return t("err_email");
    if (field === "phone") return t("err_phone");
    if (field === "category") return t("err_category");
    if (/longer than/.test(message)) return t("err_too_long");
    return t("err_invalid");
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function currentCategory() {
    return state.form.categories.find((c) => c.id === state.category) || state.form.categories[0];
  }

  function collect() {
    document.querySelectorAll("#reg-form [data-input]").forEach((input) => {
      state.values[input.name] = input.value;
    });
    document.querySelectorAll("#reg-form [data-consent]").forEach((box) => {
      state.consents[box.dataset.consent] = box.checked;
    });
  }

  function fieldLabel(name) {
    const label = (state.form.labels || {})[name] || {};
    return label[window.Kiosk.lang()] || label.en || name;
  }

  function fieldBlock(name, required) {
    const wrap = el("div", { class: "field", "data-field": name });
    const id = "reg-" + name;
    const label = el("label", { for: id }, fieldLabel(name));
    if (required) label.appendChild(el("span", { class: "req", "aria-hidden": "true" }, " *"));
    const input = el("input", Object.assign({ id, name, "data-input": "", enterkeyhint: "next" }, INPUTS[name] || { type: "text" }));
    if (required) input.setAttribute("aria-required", "true");
    const ph = window.KioskText[window.Kiosk.lang()]["ph_" + name];
    if (ph) input.placeholder = ph;
    input.value = state.values[name] || "";
    const err = el("p", { class: "field-error", id: id + "-error", role: "alert" });
    if (state.errors[name]) {
      wrap.classList.add("invalid");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", err.id);
      err.textContent = errorText(name, state.errors[name]);
    }
    wrap.append(label, input, err);
    return wrap;
  }

  function consentBlock(consent) {
    const lang = window.Kiosk.lang();
    const key = "consents." + consent.id;
    const wrap = el("div", { class: "consent", "data-field": key });
    const label = el("label", { class: "consent-label" });
    const box = el("input", { type: "checkbox", "data-consent": consent.id, name: key });
    box.checked = state.consents[consent.id] === true;
    const text = el("span", { class: "consent-text" }, consent.text[lang] || consent.text.en || "");
    if (consent.required) text.appendChild(el("span", { class: "req", "aria-hidden": "true" }, " *"));
    label.append(box, text);
    const err = el("p", { class: "field-error", role: "alert" });
    if (state.errors[key]) { wrap.classList.add("invalid"); err.textContent = errorText(key, state.errors[key]); }
    wrap.append(label, err);
    return wrap;
  }

  // A few fields a step, so that a step and the on-screen keyboard share one screen.
  function steps() {
    const category = currentCategory();
    const list = [];
    if (state.form.categories.length > 1) list.push({ id: "category", fields: [] });
    const groups = [];
    for (const name of category.fields) {
      const group = GROUPS[name] || name;
      const last = groups[groups.length - 1];
      if (last && last.id === group && last.fields.length < 2) last.fields.push(name);
      else groups.push({ id: group, fields: [name] });
    }
    list.push(...groups);
    if (state.form.consents.length) list.push({ id: "consents", fields: [] });
    return list;
  }

  function stepOf(field, list) {
    if (field === "category") return list.findIndex((s) => s.id === "category");
    if (field.startsWith("consents.")) return list.findIndex((s) => s.id === "consents");
    return list.findIndex((s) => s.fields.includes(field));
  }

  function stepTitle(step) {
    const text = window.KioskText[window.Kiosk.lang()] || {};
    if (text["reg_step_" + step.id]) return t("reg_step_" + step.id);
    return fieldLabel(step.fields[0]);
  }

  function progress(list) {
    const wrap = el("div", { class: "reg-progress" });
    wrap.appendChild(el("p", { class: "reg-step-count", id: "reg-step-count" },
      t("reg_step_of", { n: String(state.step + 1), total: String(list.length) })));
    const bar = el("ol", { class: "reg-steps", "aria-hidden": "true" });
    list.forEach((s, i) => {
      const bad = Object.keys(state.errors).some((f) => stepOf(f, list) === i);
      const cls = ["reg-dot", i < state.step ? "done" : "", i === state.step ? "current" : "", bad ? "bad" : ""];
      bar.appendChild(el("li", { class: cls.filter(Boolean).join(" "), "data-step": s.id }));
    });
    wrap.appendChild(bar);
    return wrap;
  }

  function render() {
    const screen = $("#screen-register");
    screen.innerHTML = "";
    screen.classList.add("register");
    if (state.known) { renderKnown(screen); return; }
    const list = steps();
    state.step = Math.max(0, Math.min(state.step, list.length - 1));
    const step = list[state.step];
    const last = state.step === list.length - 1;
    screen.dataset.step = step.id;
    screen.append(el("p", { class: "reg-title" }, t("reg_title")), progress(list));
    screen.appendChild(el("h1", { id: "reg-step-title" }, stepTitle(step)));
    const form = el("form", { id: "reg-form", novalidate: "", autocomplete: "off", "data-step": step.id,
                              "aria-labelledby": "reg-step-title" });
    if (step.id === "category") {
      const category = currentCategory();
      const group = el("div", { class: "reg-cats", role: "radiogroup", "aria-labelledby": "reg-step-title" });
      for (const c of state.form.categories) {
        const b = el("button", { type: "button", class: "reg-cat", role: "radio", "data-category": c.id,
                                 "aria-checked": String(c.id === category.id) }, window.Kiosk.localName(c.name));
        b.style.setProperty("--cat", c.color);
        // Choosing is the answer: the next step follows.
        b.addEventListener("click", () => { collect(); state.category = c.id; state.step += 1; render(); focusFirst(); });
        group.appendChild(b);
      }
      form.appendChild(group);
      if (state.errors.category) form.appendChild(el("p", { class: "field-error" }, errorText("category", state.errors.category)));
    } else if (step.id === "consents") {
      const box = el("fieldset", { class: "consents" });
      box.appendChild(el("legend", { class: "hint" }, t("reg_consents_hint")));
      for (const c of state.form.consents) box.appendChild(consentBlock(c));
      form.appendChild(box);
    } else {
      const category = currentCategory();
      const fields = el("div", { class: "fields", "data-count": String(step.fields.length) });
      for (const name of step.fields) fields.appendChild(fieldBlock(name, category.required.includes(name)));
      form.appendChild(fields);
      form.appendChild(el("p", { class: "hint reg-hint" }, t("reg_hint")));
    }
    if (Object.keys(state.errors).length) form.appendChild(el("p", { class: "error reg-summary", role: "alert" }, t("err_summary")));
    const actions = el("div", { class: "actions" });
    const back = el("button", { type: "button", class: "secondary big", id: "reg-back" }, t(state.step ? "reg_prev" : "reg_cancel"));
    back.addEventListener("click", () => {
      collect();
      if (state.step === 0) { reset(); window.Kiosk.idle(); return; }
      state.step -= 1;
      render();
      focusFirst();
    });
    actions.appendChild(back);
    if (step.id !== "category") {
      const next = el("button", { type: "submit", class: "primary big", id: last ? "reg-submit" : "reg-next" },
                      t(last ? "reg_submit" : "reg_next"));
      actions.appendChild(next);
    }
    form.appendChild(actions);
    form.addEventListener("submit", (ev) => { ev.preventDefault(); forward(); });
    screen.appendChild(form);
  }

  function focusFirst() {
    const first = document.querySelector("#screen-register .invalid input[data-input]") ||
      document.querySelector("#reg-form input[data-input]");
    if (first) setTimeout(() => first.focus(), 0);
  }

  // Next: what the kiosk can tell at once is said on this step; the server has the last word.
  function forward() {
    collect();
    const list = steps();
    const step = list[state.step];
    const category = currentCategory();
    for (const name of step.fields) {
      const value = (state.values[name] || "").trim();
      if (category.required.includes(name) && !value) state.errors[name] = "required";
      else if (name === "email" && value && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) state.errors[name] = "invalid";
      else delete state.errors[name];
    }
    if (step.id === "consents") {
      for (const c of state.form.consents) {
        if (c.required && !state.consents[c.id]) state.errors["consents." + c.id] = "required";
        else delete state.errors["consents." + c.id];
      }
    }
    const here = Object.keys(state.errors).filter((f) => stepOf(f, list) === state.step);
    if (here.length) { render(); focusFirst(); return; }
    if (state.step < list.length - 1) { state.step += 1; render(); focusFirst(); return; }
    submitForm();
  }

  function renderKnown(screen) {
    const a = state.known;
    screen.append(el("h1", {}, t("reg_known_title")), el("p", { class: "lead" }, t("reg_known_help")));
    const card = el("div", { class: "person-card", id: "known-card" });
    card.append(el("div", { class: "pname" }, a.full_name), el("div", { class: "pcompany" }, a.company || ""));
    const actions = el("div", { class: "actions" });
    const no = el("button", { type: "button", class: "secondary big", id: "known-no" }, t("reg_known_not_me"));
    no.addEventListener("click", () => { state.known = null; render(); });
    const yes = el("button", { type: "button", class: "primary big", id: "known-yes" }, t("reg_known_print"));
    yes.addEventListener("click", () => { const id = a.id; reset(); window.Kiosk.checkIn({ attendee_id: id }); });
    actions.append(no, yes);
    screen.append(card, actions);
  }

  let sending = false;
  async function submitForm() {
    if (sending) return;
    collect();
    const body = { category: state.category, language: window.Kiosk.lang(), consents: {} };
    for (const name of currentCategory().fields) body[name] = (state.values[name] || "").trim();
    for (const c of state.form.consents) body.consents[c.id] = state.consents[c.id] === true;
    sending = true;
    $("#busy").hidden = false;
    let res;
    try { res = await KioskApi.post("/registrations", body); } catch (e) { res = { status: 0, data: {} }; }
    $("#busy").hidden = true;
    sending = false;
    if (res.status === 201) {
      const id = res.data.attendee.id;
      reset();
      document.dispatchEvent(new CustomEvent("kiosk:registered", { detail: res.data }));
      window.Kiosk.checkIn({ attendee_id: id });
    } else if (res.status === 409 && res.data.attendee) {
      // Staff see who it is and act for them.
      state.errors = {};
      state.known = res.data.attendee;
      render();
    } else if (res.status === 409) {
      // A kiosk names nobody: the person proves it is them before their badge prints.
      const id = res.data.attendee_id;
      reset();
      window.Kiosk.verify({ id, known: true });
    } else if (res.status === 0 && window.KioskOffline) {
      // No server: kept on the kiosk and sent when it is back; the desk prints the badge.
      await window.KioskOffline.queueWalkup(body);
      reset();
      window.Kiosk.result("warn", window.KioskOffline.text("walkup_title"), body.full_name || "",
                          window.KioskOffline.text("walkup_detail"));
    } else if (res.status === 422) {
      // Back to the first step the server found fault with, its fields marked.
      state.errors = res.data.fields || {};
      const list = steps();
      const bad = Object.keys(state.errors).map((f) => stepOf(f, list)).filter((i) => i >= 0);
      if (bad.length) state.step = Math.min(...bad);
      render();
      focusFirst();
    } else {
      window.Kiosk.result("bad", t("error"), "", t("error_detail"));
    }
  }

  function reset() {
    state.values = {}; state.consents = {}; state.errors = {}; state.known = null; state.step = 0;
    state.category = state.form ? state.form.categories[0].id : null;
  }

  async function open(prefill) {
    // The form is fetched on first use: nothing extra runs while the kiosk waits for a scan.
    if (!state.form && !(await load())) {
      window.Kiosk.result("bad", t("error"), "", t("error_detail"));
      return;
    }
    reset();
    Object.assign(state.values, prefill && prefill.values);
    render();
    window.Kiosk.show("register");
    armIdle();
    focusFirst();
  }

  function armIdle() {
    clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      if (document.body.dataset.screen === "register") { reset(); window.Kiosk.idle(); }
    }, IDLE_MS);
  }

  async function load() {
    let res;
    try { res = await KioskApi.get("/registration-form"); } catch (e) { res = { status: 0 }; }
    if (res.status === 0 && window.KioskOffline) res = window.KioskOffline.savedForm() || res;
    if (res.status !== 200 || !res.data.categories.length) return false;
    state.form = res.data;
    return true;
  }

  document.addEventListener("kiosk:ready", () => { state.form = null; });
  document.addEventListener("kiosk:lang", () => {
    if (state.form && document.body.dataset.screen === "register") { collect(); render(); focusFirst(); }
  });
  ["input", "pointerdown", "keydown"].forEach((type) => document.addEventListener(type, () => {
    if (document.body.dataset.screen === "register") armIdle();
  }, true));
  $("#btn-register").addEventListener("click", () => open());
  window.KioskRegister = { open };
})();
