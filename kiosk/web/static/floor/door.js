// Session door: each scanned badge is counted into the chosen session once, while the session
// runs (the server decides, with its grace); outside that time the door staff may confirm.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const T = {
    zh: {
      session: "论坛", counted: "已入场", scan_title: "请扫描胸卡", code_label: "或输入胸卡码", check: "签入",
      welcome: "欢迎", over_capacity: "已超出容量，请工作人员决定", already_attended: "已签到此论坛",
      revoked: "胸卡已作废，请到服务台", invalid: "无效胸卡", session_ended: "本论坛已结束",
      session_not_started: "本论坛尚未开始", ended_at: "已于{t} 结束", starts_at: "将于{t} 开始",
      runs: "时间：{t}", confirm: "工作人员确认：仍然签入", confirmed: "已由工作人员确认签入（论坛时间外）",
      offline: "无法连接服务器，请重试", pair: "此页面需要设备配对链接或工作人员登录。", today: "今天",
    },
    en: {
      session: "Session", counted: "Counted in", scan_title: "Scan a badge", code_label: "or type its code", check: "Count in",
      welcome: "Welcome", over_capacity: "Over capacity: door staff decide", already_attended: "Already counted in",
      revoked: "Badge replaced or cancelled: please see the desk", invalid: "Not a valid badge",
      session_ended: "This session is over", session_not_started: "This session has not started",
      ended_at: "It ended {t}", starts_at: "It starts {t}", runs: "Runs {t}",
      confirm: "Staff: count in anyway", confirmed: "Counted in by staff outside the session's time",
      offline: "Cannot reach the server: try again", pair: "This page needs a device pairing link or a signed-in staff account.",
      today: "today",
    },
  };
  const tz = $("door").dataset.timezone;
  const params = new URLSearchParams(location.search);
  if (params.get("session")) $("session").value = params.get("session");
  let last = null;  // the last answer, redrawn when the language changes
  let pending = null;  // the code refused for time, which staff may confirm
  let lang = "zh";

  const option = () => $("session").selectedOptions[0];

  // "01:29 today" / "今天 01:29"; another day with its date.
  function at(iso, lang) {
    if (!iso) return "";
    if (!Floor.sameDay(iso, new Date().toISOString(), tz)) return Floor.when(iso, lang, tz);
    const time = Floor.when(iso, lang, tz, false);
    return lang === "zh" ? `${T.zh.today} ${time}` : `${time} ${T.en.today}`;
  }

  function span(starts, ends, lang) {
    if (!starts && !ends) return "";
    const end = ends ? (starts && Floor.sameDay(starts, ends, tz) ? Floor.when(ends, lang, tz, false) : at(ends, lang)) : "";
    // "10:00–12:00 today": the day once, after the times, in English.
    if (lang === "en" && starts && ends && Floor.sameDay(starts, ends, tz) &&
        Floor.sameDay(starts, new Date().toISOString(), tz)) {
      return `${Floor.when(starts, lang, tz, false)}–${end} ${T.en.today}`;
    }
    return `${at(starts, lang)}–${end}`;
  }

  function drawSessions(lang) {
    for (const o of $("session").options) {
      o.textContent = `${o.dataset[lang] || o.dataset.en}${o.dataset.room ? " · " + o.dataset.room : ""}`;
    }
    const o = option();
    const when = o ? span(o.dataset.starts, o.dataset.ends, lang) : "";
    $("session-when").textContent = when ? T[lang].runs.replace("{t}", when) : "";
  }

  function draw() {
    const t = T[lang];
    drawSessions(lang);
    const r = $("result");
    $("confirm").hidden = true;
    if (!last) { r.dataset.kind = "idle"; $("result-icon").textContent = ""; $("result-title").textContent = "";
      $("who").textContent = ""; $("result-detail").textContent = ""; return; }
    const { status, data } = last;
    $("who").textContent = (data.attendee && data.attendee.full_name) || "";
    let kind = "bad", title, detail = "";
    if (status === 201) {
      kind = data.over_capacity || data.outside ? "warn" : "ok";
      title = t.welcome;
      detail = data.outside ? t.confirmed : data.over_capacity ? t.over_capacity : "";
    } else if (data.reason === "session_ended" || data.reason === "session_not_started") {
      title = t[data.reason];
      detail = data.reason === "session_ended" ? t.ended_at.replace("{t}", at(data.ends, lang))
        : t.starts_at.replace("{t}", at(data.starts, lang));
      $("confirm").hidden = !data.can_confirm;
    } else if (status === 0) {
      title = t.offline;
    } else {
      title = t[data.reason] || t[data.error] || data.message || String(status);
    }
    r.dataset.kind = kind;
    $("result-icon").textContent = kind === "bad" ? "✗" : kind === "warn" ? "!" : "✓";
    $("result-title").textContent = title;
    $("result-detail").textContent = detail;
  }

  async function scan(code, confirm = false) {
    code = code.trim();
    if (!code) return;
    const body = { code, type: "session_attended", place: $("session").value, nonce: Floor.nonce() };
    if (confirm) body.confirm = true;
    const res = await Floor.post("/interactions", body);
    if (res.status === 401 || res.status === 403) { $("pair").hidden = false; return; }
    const d = res.data;
    if (d.attended !== undefined) $("count").textContent = `${d.attended} / ${d.capacity || "∞"}`;
    pending = d.can_confirm ? code : null;
    last = res;
    draw();
  }

  async function occupancy() {
    const res = await Floor.get("/sessions");
    if (res.status !== 200) return;
    const s = (res.data.sessions || []).find((x) => x.id === $("session").value);
    if (s) $("count").textContent = `${s.attended} / ${s.capacity || "∞"}`;
  }

  Floor.languages(T, (chosen) => { lang = chosen; draw(); });
  $("session").addEventListener("change", () => { last = null; pending = null; draw(); occupancy(); });
  $("manual").addEventListener("submit", (ev) => { ev.preventDefault(); scan($("code").value); $("code").value = ""; });
  $("confirm").addEventListener("click", () => { if (pending) scan(pending, true); });
  Wedge.listen((code) => scan(code));
  occupancy();
  window.Door = { scan };
})();
