// Walk-up registration: a short form per category, consents unticked, then check-in and badge.
(function () {
  "use strict";
  const IDLE_MS = 120000;
  const INPUTS = {
    full_name: { type: "text", autocomplete: "name" },
    company: { type: "text", autocomplete: "organization" },
    job_title: { type: "text", autocomplete: "organization-title" },
    email: { type: "email", inputmode: "email", autocomplete: "email", autocapitalize: "off", spellcheck: "false" },
    phone: { type: "tel", inputmode: "tel", autocomplete: "tel" },
    country: { type: "text", autocomplete: "country-name" },
    city: { type: "text", autocomplete: "address-level2" },
  };
  const $ = (sel) => document.querySelector(sel);
  const state = { form: null, category: null, values: {}, consents: {}, errors: {}, known: null, timer: null };
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

  function render() {
    const screen = $("#screen-register");
    screen.innerHTML = "";
    screen.classList.add("register");
    if (state.known) { renderKnown(screen); return; }
    const category = currentCategory();
    screen.append(el("h1", {}, t("reg_title")), el("p", { class: "hint" }, t("reg_hint")));
    const form = el("form", { id: "reg-form", novalidate: "", autocomplete: "off" });
    if (state.form.categories.length > 1) {
      const group = el("div", { class: "reg-cats", role: "radiogroup", "aria-label": t("reg_category") });
      for (const c of state.form.categories) {
        const b = el("button", { type: "button", class: "reg-cat", role: "radio", "data-category": c.id,
                                 "aria-checked": String(c.id === category.id) }, window.Kiosk.localName(c.name));
        b.style.setProperty("--cat", c.color);
        b.addEventListener("click", () => { collect(); state.category = c.id; render(); });
        group.appendChild(b);
      }
      const legend = el("p", { class: "reg-cats-label" }, t("reg_category"));
      form.append(legend, group);
    }
    if (state.errors.category) form.appendChild(el("p", { class: "field-error" }, errorText("category", state.errors.category)));
    const fields = el("div", { class: "fields" });
    for (const name of category.fields) fields.appendChild(fieldBlock(name, category.required.includes(name)));
    form.appendChild(fields);
    if (state.form.consents.length) {
      const box = el("fieldset", { class: "consents" });
      box.appendChild(el("legend", {}, t("reg_consents")));
      for (const c of state.form.consents) box.appendChild(consentBlock(c));
      form.appendChild(box);
    }
    if (Object.keys(state.errors).length) form.appendChild(el("p", { class: "error reg-summary", role: "alert" }, t("err_summary")));
    const actions = el("div", { class: "actions" });
    const back = el("button", { type: "button", class: "secondary big", id: "reg-back" }, t("back"));
    back.addEventListener("click", () => window.Kiosk.idle());
    const submit = el("button", { type: "submit", class: "primary big", id: "reg-submit" }, t("reg_submit"));
    actions.append(back, submit);
    form.appendChild(actions);
    form.addEventListener("submit", (ev) => { ev.preventDefault(); submitForm(); });
    screen.appendChild(form);
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
    } else if (res.status === 422) {
      state.errors = res.data.fields || {};
      render();
      const first = document.querySelector("#screen-register .invalid input");
      if (first) first.focus();
    } else {
      window.Kiosk.result("bad", t("error"), "", t("error_detail"));
    }
  }

  function reset() {
    state.values = {}; state.consents = {}; state.errors = {}; state.known = null;
    state.category = state.form ? state.form.categories[0].id : null;
  }

  async function open() {
    // The form is fetched on first use: nothing extra runs while the kiosk waits for a scan.
    if (!state.form && !(await load())) {
      window.Kiosk.result("bad", t("error"), "", t("error_detail"));
      return;
    }
    reset();
    render();
    window.Kiosk.show("register");
    armIdle();
    const first = document.querySelector("#reg-form input[data-input]");
    if (first) setTimeout(() => first.focus(), 0);
  }

  function armIdle() {
    clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      if (document.body.dataset.screen === "register") { reset(); window.Kiosk.idle(); }
    }, IDLE_MS);
  }

  async function load() {
    let res;
    try { res = await KioskApi.get("/registration-form"); } catch (e) { return false; }
    if (res.status !== 200 || !res.data.categories.length) return false;
    state.form = res.data;
    return true;
  }

  document.addEventListener("kiosk:ready", () => { state.form = null; });
  document.addEventListener("kiosk:lang", () => {
    if (state.form && document.body.dataset.screen === "register") { collect(); render(); }
  });
  ["input", "pointerdown", "keydown"].forEach((type) => document.addEventListener(type, () => {
    if (document.body.dataset.screen === "register") armIdle();
  }, true));
  $("#btn-register").addEventListener("click", open);
  window.KioskRegister = { open };
})();
