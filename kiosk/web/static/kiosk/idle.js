// Every kiosk screen returns to the start on its own, and the start forgets the last visitor.
//
// Any screen but the start, pairing and a result (which counts down itself) is watched: after
// QUIET_MS without a touch or a key, a screen where the visitor typed or ticked something asks
// "Still there?" for PROMPT_MS (a touch anywhere keeps the screen), and any other screen goes
// back at once. Going back to the start clears every input of every screen, the search results,
// the person chosen and any error line, then tells other modules with `kiosk:cleared`.
(function () {
  "use strict";
  const timing = { quietMs: 40000, promptMs: 20000 };
  const UNWATCHED = new Set(["idle", "pair", "result", ""]);
  const $ = (sel) => document.querySelector(sel);
  let quietTimer = null;
  let tickTimer = null;
  let promptEnds = 0;

  const screen = () => document.body.dataset.screen || "";
  const t = (k, v) => window.Kiosk.t(k, v);

  function typed() {
    const current = document.getElementById("screen-" + screen());
    if (!current) return false;
    return [...current.querySelectorAll("input, textarea, select")].some((el) => {
      if (el.type === "hidden" || el.disabled) return false;
      if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
      if (el.tagName === "SELECT") return el.selectedIndex > 0;
      return el.value.trim() !== "";
    });
  }

  function arm() {
    clearTimeout(quietTimer);
    if (UNWATCHED.has(screen())) return;
    quietTimer = setTimeout(onQuiet, timing.quietMs);
  }

  function onQuiet() {
    if (UNWATCHED.has(screen())) return;
    if (typed()) ask();
    else window.Kiosk.idle();
  }

  function prompt() {
    let box = $("#still-there");
    if (box) return box;
    box = document.createElement("div");
    box.id = "still-there";
    box.className = "still-there";
    box.hidden = true;
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-labelledby", "still-there-title");
    box.innerHTML =
      '<div class="still-card"><h2 id="still-there-title"></h2><p id="still-there-detail"></p>' +
      '<div class="still-count"><div id="still-there-bar"></div></div>' +
      '<button type="button" class="primary big" id="still-there-yes"></button></div>';
    document.body.appendChild(box);
    // A touch anywhere on it means the visitor is there; the button says so in words.
    box.addEventListener("pointerdown", (ev) => { ev.preventDefault(); stay(); });
    box.querySelector("#still-there-yes").addEventListener("click", stay);
    return box;
  }

  function render() {
    const box = $("#still-there");
    if (!box || box.hidden) return;
    const seconds = Math.max(0, Math.ceil((promptEnds - Date.now()) / 1000));
    box.querySelector("#still-there-title").textContent = t("still_there");
    box.querySelector("#still-there-detail").textContent = t("still_there_detail", { seconds: String(seconds) });
    box.querySelector("#still-there-yes").textContent = t("still_there_yes");
    box.querySelector("#still-there-bar").style.width =
      (100 * Math.max(0, promptEnds - Date.now()) / timing.promptMs) + "%";
  }

  function ask() {
    const box = prompt();
    promptEnds = Date.now() + timing.promptMs;
    box.hidden = false;
    document.body.dataset.stillThere = "asking";
    render();
    clearInterval(tickTimer);
    tickTimer = setInterval(() => {
      if (Date.now() >= promptEnds) { close(); window.Kiosk.idle(); } else render();
    }, 250);
    box.querySelector("#still-there-yes").focus({ preventScroll: true });
  }

  function close() {
    clearInterval(tickTimer);
    const box = $("#still-there");
    if (box) box.hidden = true;
    delete document.body.dataset.stillThere;
  }

  function stay() {
    close();
    arm();
  }

  // Everything the last visitor typed, chose or was shown goes.
  function clearAll() {
    document.querySelectorAll("#screens .screen:not(#screen-pair)").forEach((s) => {
      s.querySelectorAll("input, textarea, select").forEach((el) => {
        if (el.type === "hidden" || el.type === "button" || el.type === "submit") return;
        if (el.type === "checkbox" || el.type === "radio") el.checked = el.defaultChecked;
        else if (el.tagName === "SELECT") el.selectedIndex = 0;
        else el.value = "";
        el.classList.remove("invalid");
        el.removeAttribute("aria-invalid");
      });
      s.querySelectorAll(".field-error").forEach((el) => { el.textContent = ""; delete el.dataset.key; });
    });
    const results = $("#results");
    if (results) results.innerHTML = "";
    const none = $("#no-results");
    if (none) none.hidden = true;
    const card = $("#confirm-card");
    if (card) card.innerHTML = "";
    const name = $("#verify-name");
    if (name) { name.textContent = ""; name.hidden = true; }
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    document.dispatchEvent(new CustomEvent("kiosk:cleared"));
  }

  function onScreen() {
    close();
    if (screen() === "idle") clearAll();
    arm();
  }

  new MutationObserver(onScreen).observe(document.body, { attributes: true, attributeFilter: ["data-screen"] });
  ["pointerdown", "keydown", "input"].forEach((type) => document.addEventListener(type, (ev) => {
    if (ev.target && ev.target.closest && ev.target.closest("#still-there")) return;
    if (!$("#still-there") || $("#still-there").hidden) arm();
  }, true));
  document.addEventListener("kiosk:lang", render);

  window.KioskIdle = {
    // Tests and slow readers: shorter or longer waits, in milliseconds.
    configure(opts) { Object.assign(timing, opts || {}); arm(); },
    poke: arm,
    typed,
    timing,
  };
})();
