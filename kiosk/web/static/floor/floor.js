// Floor devices (session door, exit survey): call the API with the paired device token, or,
// on a signed-in staff phone, with the session cookie and its CSRF token; the language switch
// in the bar; venue times.
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');
  const LANG_KEY = "floor.lang";

  async function request(method, path, body) {
    const headers = { "Content-Type": "application/json" };
    const token = window.KioskApi && KioskApi.token();
    if (token) headers.Authorization = "Bearer " + token;
    else if (meta) headers["X-CSRFToken"] = meta.content;
    let res;
    try {
      res = await fetch("/api/v1" + path, { method, headers,
        body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
    } catch (e) {
      return { status: 0, data: { error: "offline" } };
    }
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    return { status: res.status, data };
  }
  const post = (path, body) => request("POST", path, body);
  const get = (path) => request("GET", path);

  // The bar's language buttons: `onChange(lang)` draws the page's texts in that language.
  function languages(texts, onChange) {
    const buttons = [...document.querySelectorAll(".langs .lang")];
    const known = buttons.map((b) => b.dataset.lang);
    let lang = localStorage.getItem(LANG_KEY);
    if (!known.includes(lang)) lang = document.documentElement.lang || known[0] || "zh";
    function apply(next) {
      lang = next;
      document.documentElement.lang = lang === "zh" ? "zh-CN" : lang;
      for (const b of buttons) {
        const on = b.dataset.lang === lang;
        b.classList.toggle("active", on);
        b.setAttribute("aria-pressed", String(on));
      }
      const t = texts[lang] || texts.en;
      document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t[el.dataset.t] || ""; });
      const name = document.getElementById("show-name");
      if (name) name.textContent = name.dataset["show" + lang[0].toUpperCase() + lang.slice(1)] || name.textContent;
      onChange(lang, t);
    }
    for (const b of buttons) {
      b.addEventListener("click", () => { localStorage.setItem(LANG_KEY, b.dataset.lang); apply(b.dataset.lang); });
    }
    apply(lang);
    return () => lang;
  }

  // "24 Nov 10:00" / "11月24日 10:00" in the venue's time zone.
  function when(iso, lang, timeZone, withDate = true) {
    if (!iso) return "";
    const opts = { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: timeZone || undefined };
    if (withDate) { opts.month = lang === "zh" ? "long" : "short"; opts.day = "numeric"; }
    return new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", opts).format(new Date(iso));
  }

  function sameDay(a, b, timeZone) {
    const day = (iso) => new Intl.DateTimeFormat("en-CA", { timeZone: timeZone || undefined }).format(new Date(iso));
    return day(a) === day(b);
  }

  window.Floor = {
    post, get, languages, when, sameDay,
    nonce: () => (window.KioskApi ? KioskApi.nonce() : String(Date.now())),
  };
})();
