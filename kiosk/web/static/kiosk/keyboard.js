// The kiosk's own on-screen keyboard (simple-keyboard, vendored): every text field of the page,
// Latin letters, digits, e-mail keys, and Chinese by pinyin with a row of candidates to pick from.
// A field says which keys it wants with data-osk="text" | "email" | "digits"; type=tel means digits.
(function () {
  "use strict";
  const SK = window.SimpleKeyboard && (window.SimpleKeyboard.default || window.SimpleKeyboard);
  if (!SK) return;
  const CANDIDATES = (window.SimpleKeyboardChinese || {}).layoutCandidates || {};
  const LAYOUTS = {
    text: {
      default: [
        "1 2 3 4 5 6 7 8 9 0 {bksp}",
        "q w e r t y u i o p",
        "a s d f g h j k l '",
        "{shift} z x c v b n m - . {shift}",
        "{mode} {space} {hide} {enter}",
      ],
      shift: [
        "1 2 3 4 5 6 7 8 9 0 {bksp}",
        "Q W E R T Y U I O P",
        "A S D F G H J K L &",
        "{shift} Z X C V B N M ( ) {shift}",
        "{mode} {space} {hide} {enter}",
      ],
    },
    email: {
      default: [
        "1 2 3 4 5 6 7 8 9 0 {bksp}",
        "q w e r t y u i o p",
        "a s d f g h j k l _",
        "{shift} z x c v b n m - . {shift}",
        "@ .com .cn + {hide} {enter}",
      ],
      shift: [
        "1 2 3 4 5 6 7 8 9 0 {bksp}",
        "Q W E R T Y U I O P",
        "A S D F G H J K L _",
        "{shift} Z X C V B N M - . {shift}",
        "@ .com .cn + {hide} {enter}",
      ],
    },
    digits: {
      default: ["1 2 3", "4 5 6", "7 8 9", "+ 0 {bksp}", "{space} {hide} {enter}"],
    },
  };
  const state = { kb: null, input: null, kind: "text", pinyin: false, shift: false, syncing: false };
  const t = (k) => (window.Kiosk ? window.Kiosk.t(k) : k);
  const lang = () => (window.Kiosk ? window.Kiosk.lang() : "en");

  function kindOf(input) {
    if (input.dataset.osk) return input.dataset.osk;
    if (input.type === "tel") return "digits";
    if (input.type === "email" || input.getAttribute("inputmode") === "email") return "email";
    return "text";
  }

  function wants(el) {
    return el instanceof HTMLInputElement && !el.closest(".osk") && !el.closest("#screen-pair") &&
      ["text", "search", "email", "tel"].includes(el.type) && !el.readOnly && !el.disabled;
  }

  function display() {
    return {
      "{bksp}": "⌫",
      "{enter}": t("osk_enter"),
      "{shift}": "⇧",
      "{space}": t("osk_space"),
      "{hide}": t("osk_hide"),
      // The mode key names the mode it switches to.
      "{mode}": state.pinyin ? "ABC" : t("osk_pinyin"),
    };
  }

  function panel() {
    let box = document.getElementById("osk");
    if (box) return box;
    box = document.createElement("div");
    box.id = "osk";
    box.className = "osk";
    box.hidden = true;
    box.setAttribute("role", "group");
    box.innerHTML = '<p class="osk-hint" aria-live="polite"></p><div class="simple-keyboard"></div>';
    // Keys and candidates never take the focus from the field being typed in.
    box.addEventListener("mousedown", (ev) => ev.preventDefault());
    document.body.appendChild(box);
    return box;
  }

  function build() {
    if (state.kb) return state.kb;
    panel();
    state.kb = new SK(".simple-keyboard", {
      layout: LAYOUTS.text,
      layoutName: "default",
      display: display(),
      mergeDisplay: true,
      theme: "hg-theme-default osk-theme",
      preventMouseDownDefault: true,
      layoutCandidatesPageSize: 8,
      disableCandidateNormalization: true,
      onChange: onChange,
      onKeyPress: onKeyPress,
    });
    return state.kb;
  }

  function labels() {
    const box = panel();
    box.setAttribute("aria-label", t("osk_label"));
    box.querySelector(".osk-hint").textContent = state.kind === "text" && state.pinyin ? t("osk_pinyin_hint") : "";
    box.dataset.kind = state.kind;
    box.dataset.pinyin = String(state.pinyin);
  }

  function configure() {
    const kb = build();
    kb.setOptions({
      layout: LAYOUTS[state.kind],
      layoutName: state.shift && state.kind !== "digits" ? "shift" : "default",
      display: display(),
      layoutCandidates: state.kind === "text" && state.pinyin ? CANDIDATES : null,
    });
    if (kb.candidateBox) kb.candidateBox.destroy();
    labels();
    measure();
  }

  // The screen above keeps clear of the keyboard, whatever its height in this mode.
  function measure() {
    const box = panel();
    if (!box.hidden) document.body.style.setProperty("--osk-h", box.offsetHeight + "px");
  }

  function onChange(value) {
    const input = state.input;
    if (!input) return;
    state.syncing = true;
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    state.syncing = false;
    const pos = state.kb.getCaretPositionEnd();
    try { if (pos !== null && pos !== undefined) input.setSelectionRange(pos, pos); } catch (e) { /* no caret */ }
  }

  function onKeyPress(key) {
    if (key === "{shift}") { state.shift = !state.shift; configure(); return; }
    if (key === "{mode}") { state.pinyin = !state.pinyin; configure(); return; }
    if (key === "{hide}") { const input = state.input; close(); if (input) input.blur(); return; }
    if (key === "{enter}") {
      const input = state.input;
      if (input && input.form) input.form.requestSubmit();
      return;
    }
    // Shift holds for one letter, as on a phone.
    if (state.shift && !key.startsWith("{")) { state.shift = false; setTimeout(configure, 0); }
  }

  function open(input) {
    state.input = input;
    const kind = kindOf(input);
    if (kind !== state.kind) state.shift = false;
    state.kind = kind;
    // Names are typed by pinyin when the kiosk speaks Chinese; the mode key switches.
    if (kind === "text") state.pinyin = input.dataset.oskPinyin ? input.dataset.oskPinyin === "on" : lang() === "zh";
    configure();
    state.kb.setOptions({ inputName: input.id || "field" });
    state.kb.setInput(input.value, input.id || "field");
    state.kb.setCaretPosition(input.value.length);
    panel().hidden = false;
    document.body.classList.add("osk-open");
    measure();
    requestAnimationFrame(() => {
      const field = input.closest(".field, form") || input;
      field.scrollIntoView({ block: "nearest" });
    });
    document.dispatchEvent(new CustomEvent("kiosk:keyboard", { detail: { open: true, kind } }));
  }

  function close() {
    state.input = null;
    const box = document.getElementById("osk");
    if (box) box.hidden = true;
    if (state.kb && state.kb.candidateBox) state.kb.candidateBox.destroy();
    document.body.classList.remove("osk-open");
    document.dispatchEvent(new CustomEvent("kiosk:keyboard", { detail: { open: false } }));
  }

  // A touch device's own keyboard stays shut: the fields ask for none.
  function quiet(root) {
    (root || document).querySelectorAll("input").forEach((el) => {
      if (wants(el) && el.getAttribute("inputmode") !== "none") {
        if (!el.dataset.osk) el.dataset.osk = kindOf(el);
        el.setAttribute("inputmode", "none");
      }
    });
  }

  // Put away a moment after the field lost the focus, unless another field took it: a button
  // being touched must not move under the finger while the keyboard goes.
  let closing = null;
  function settleSoon() {
    clearTimeout(closing);
    closing = setTimeout(() => { if (!wants(document.activeElement)) close(); }, 300);
  }
  document.addEventListener("focusin", (ev) => {
    if (wants(ev.target)) { clearTimeout(closing); quiet(ev.target.parentNode); open(ev.target); }
  });
  document.addEventListener("focusout", settleSoon);
  document.addEventListener("input", (ev) => {
    // Typed by a real keyboard or scanner: the on-screen keyboard follows.
    if (state.syncing || !state.kb || ev.target !== state.input) return;
    state.kb.setInput(ev.target.value, ev.target.id || "field");
    state.kb.setCaretPosition(ev.target.value.length);
  }, true);
  document.addEventListener("kiosk:lang", () => { if (state.kb) configure(); });
  window.addEventListener("resize", () => { if (state.kb) measure(); });
  new MutationObserver((changes) => {
    for (const change of changes) change.addedNodes.forEach((n) => { if (n.nodeType === 1) quiet(n); });
    // The field was redrawn away (the next step): the step's first field takes the keys, if any.
    if (state.input && !state.input.isConnected) settleSoon();
  }).observe(document.body, { childList: true, subtree: true });
  new MutationObserver(() => {
    // A new screen: nothing typed stays on a keyboard nobody looks at.
    if (state.input && !state.input.isConnected) close();
    if (state.input && state.input.closest(".screen[hidden]")) close();
  }).observe(document.body, { attributes: true, attributeFilter: ["data-screen"] });
  quiet(document);
  window.KioskKeyboard = { close, isOpen: () => Boolean(state.input), mode: () => (state.pinyin ? "pinyin" : "latin") };
})();
