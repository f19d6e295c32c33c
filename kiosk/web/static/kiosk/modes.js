// What a kiosk does at its gate, set per device in the console: entry, exit, or both ways.
// A both-ways kiosk sends direction "both" and the server decides: a person inside leaves, anyone
// else enters, and a repeat within a minute is not reversed. This module also explains the
// answers that name a time: a goodbye, a second exit, a check-in on another day.
(function () {
  "use strict";
  const $ = (sel) => document.querySelector(sel);
  const K = () => window.Kiosk;
  const IDLE_KEYS = {
    out: ["idle_title_out", "idle_help_out"],
    both: ["idle_title_both", "idle_help_both"],
    in: ["idle_title", "idle_help"],
  };

  function direction() {
    const d = K().device && K().device.direction;
    return ["in", "out", "both"].includes(d) ? d : "in";
  }

  // A day as the visitor reads it: "Sat 28 Nov", "11月28日周六".
  function dayName(iso) {
    if (!iso) return "";
    const locale = K().lang() === "zh" ? "zh-CN" : "en-GB";
    const fmt = new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
    return fmt.format(new Date(iso + "T12:00:00Z"));
  }

  function gateName(id, names) {
    const local = K().localName(names);
    if (local) return local;
    const gate = K().showInfo && K().showInfo.gates[id];
    return gate ? K().localName(gate.name) : id || "";
  }

  function when(d, prefix) {
    const vars = {
      time: d[prefix + "_local"] || "",
      day: dayName(d[prefix + "_day"]),
      gate: gateName(d[prefix + "_gate"], d[prefix + "_gate_name"]),
    };
    return { vars, today: d[prefix + "_today"] !== false };
  }

  function withHint(text, key) {
    return direction() === "both" ? text + " " + K().t(key) : text;
  }

  function speak(a) {
    if (a && a.language && window.KioskText[a.language]) K().setLang(a.language);
  }

  // Take the answers this module explains; false leaves the rest to kiosk.js.
  function answer(res) {
    const d = res.data || {};
    const a = d.attendee;
    const t = K().t;
    if (res.status === 201 && d.status === "ok" && d.direction === "out") {
      speak(a);
      K().result("ok", t("goodbye", { name: a.full_name }), a.company,
                 t("bye_detail", { time: d.at_local || "", gate: gateName(d.gate) }));
      $("#screen-result").dataset.kind = "bye";
      document.dispatchEvent(new CustomEvent("kiosk:checked-in", { detail: d }));
      return true;
    }
    if (d.status !== "error") return false;
    if (d.reason === "already_checked_in" && d.checked_in_local) {
      speak(a);
      const w = when(d, "checked_in");
      K().result("warn", t("already"), a && a.full_name,
                 withHint(t(w.today ? "already_detail" : "already_detail_day", w.vars), "already_both_hint"));
      return true;
    }
    if (d.reason === "already_checked_out") {
      speak(a);
      const w = when(d, "checked_out");
      let detail = t(w.today ? "already_out_detail" : "already_out_detail_day", w.vars);
      if (d.day_closed) detail += " " + t("day_closed_detail");
      K().result("warn", t("already_out"), a && a.full_name, withHint(detail, "already_out_both_hint"));
      return true;
    }
    if (d.reason === "not_checked_in") {
      speak(a);
      K().result("bad", t("not_checked_in"), a && a.full_name, t("not_checked_in_detail"));
      return true;
    }
    return false;
  }

  function showMode() {
    const mode = direction();
    document.body.dataset.direction = mode;
    const [title, help] = IDLE_KEYS[mode];
    const h1 = document.querySelector('#screen-idle [data-t^="idle_title"]');
    const lead = document.querySelector('#screen-idle [data-t^="idle_help"]');
    if (h1) { h1.dataset.t = title; h1.textContent = K().t(title); }
    if (lead) { lead.dataset.t = help; lead.textContent = K().t(help); }
    let tag = $("#mode-tag");
    if (!tag) {
      tag = Object.assign(document.createElement("span"), { id: "mode-tag", className: "mode-tag" });
      const gate = $("#gate-name");
      if (gate) gate.after(tag);
    }
    tag.dataset.mode = mode;
    tag.textContent = K().t("mode_" + mode);
  }

  // A mode changed in the console applies to the next scan (the server uses the device's own
  // direction); the idle screen's words follow within a minute.
  const REFRESH_MS = 60000;
  async function refresh() {
    if (!K().device || document.body.dataset.screen !== "idle") return;
    let res;
    try { res = await KioskApi.get("/me"); } catch (e) { return; }
    if (res.status === 200 && res.data.device && res.data.device.direction !== K().device.direction) {
      K().device.direction = res.data.device.direction;
      K().device.printing = res.data.device.printing;
      showMode();
    }
  }
  setInterval(refresh, REFRESH_MS);

  document.addEventListener("kiosk:ready", showMode);
  document.addEventListener("kiosk:lang", () => { if (K() && K().device) showMode(); });
  window.KioskModes = { answer, direction, dayName, refresh };
})();
