// The idle (attract) screen's branding and its sign to the scanner, the large-text/high-contrast
// switch (kept until the kiosk is idle again), and "register now" when a search finds nobody.
(function () {
  "use strict";
  const $ = (sel) => document.querySelector(sel);
  const t = (k) => window.Kiosk.t(k);
  let lastScreen = null;

  function names(el) {
    try { return window.Kiosk.localName(JSON.parse(el.dataset.names)); } catch (e) { return ""; }
  }

  function texts() {
    document.querySelectorAll("[data-t-label]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.tLabel)));
    document.querySelectorAll(".attract-tagline[data-names], .sponsor-name[data-names]").forEach((el) => {
      el.textContent = names(el);
    });
    document.querySelectorAll(".sponsor-logo[data-names]").forEach((el) => { el.alt = names(el); });
    const logo = $(".attract-logo");
    if (logo) logo.alt = $("[data-show-name]").textContent;
    const sign = $("#scanner-sign");
    if (sign) sign.querySelector(".scanner-text").textContent = t("scanner_" + scannerSide());
  }

  // This kiosk's own setting ([kiosks.NAME].scanner) wins over the show's ([branding].scanner).
  function scannerSide() {
    const idle = $("#screen-idle");
    const sign = $("#scanner-sign");
    let own = "";
    try { own = (JSON.parse(sign.dataset.scanners || "{}"))[(window.Kiosk.device || {}).name] || ""; } catch (e) { own = ""; }
    return own || idle.dataset.scanner || "below";
  }

  function placeSign() {
    const side = scannerSide();
    document.body.dataset.scanner = side;
    texts();
  }

  function contrast(on) {
    document.body.classList.toggle("hc", on);
    $("#btn-contrast").setAttribute("aria-pressed", String(on));
  }

  $("#btn-contrast").addEventListener("click", () => contrast(!document.body.classList.contains("hc")));

  // Back to idle: the next visitor gets the ordinary screen again and no offer left from a search.
  new MutationObserver(() => {
    const screen = document.body.dataset.screen;
    if (screen === "idle" && lastScreen && lastScreen !== "idle") contrast(false);
    if (screen !== "search") $("#no-results-register").hidden = true;
    lastScreen = screen;
  }).observe(document.body, { attributes: true, attributeFilter: ["data-screen"] });

  document.addEventListener("kiosk:search", (ev) => {
    $("#no-results-register").hidden = ev.detail.found > 0;
  });
  $("#search-q").addEventListener("input", (ev) => {
    if (ev.target.value.trim().length < 2) $("#no-results-register").hidden = true;
  });
  $("#btn-search-register").addEventListener("click", () => {
    // What was typed is most likely the name: it starts the form, unless it was an e-mail or number.
    const q = $("#search-q").value.trim();
    const values = /[@\d]/.test(q) ? {} : { full_name: q };
    window.KioskRegister.open({ values });
  });

  document.addEventListener("kiosk:lang", texts);
  document.addEventListener("kiosk:ready", placeSign);
  placeSign();
})();
