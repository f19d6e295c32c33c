// Exit survey kiosk: touch answers in zh or en. A scanned badge is checked at once (a forged or
// unknown one is refused there, never at the end) and ties the answer to the visitor; without
// one the answer is anonymous. After a thank-you, or when left half done, the page resets.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const T = {
    zh: { title: "离场问卷", intro: "感谢光临！请花一分钟告诉我们您的感受。", scan: "可扫描胸卡（可选）",
      checking: "正在核对胸卡…", scanned: "胸卡已核对，您的回答将与胸卡关联",
      satisfaction: "您对本届展会的满意度？", sat_low: "1 很不满意", sat_high: "5 非常满意",
      recommend: "您向同行推荐本展会的可能性？", rec_low: "0 不可能", rec_high: "10 非常可能",
      return: "明年还会再来吗？", yes: "会", no: "不会", unsure: "不确定",
      purpose: "您此行的目的？（可多选）", comment: "其他意见（可选）",
      submit: "提交", thanks: "谢谢！祝您一路顺风。", need: "请选择满意度和推荐可能性",
      already_answered: "此胸卡今天已填写过问卷，可匿名再答", invalid: "无效胸卡：可不扫胸卡匿名作答",
      revoked: "胸卡已作废：可不扫胸卡匿名作答", offline: "无法连接服务器，请稍后再试",
      unchecked: "暂时无法核对胸卡，提交时再核对", pair: "此设备尚未配对，请联系工作人员",
      stars: "{n} 星", sourcing: "采购", new_products: "了解新产品", suppliers: "寻找供应商", networking: "行业交流",
      seminars: "参加论坛", market: "市场调研", other: "其他" },
    en: { title: "Exit survey", intro: "Thank you for coming! One minute to tell us how it went.",
      scan: "Scan your badge (optional)", checking: "Checking the badge…",
      scanned: "Badge checked: your answer goes with your badge",
      satisfaction: "How satisfied are you with the show?", sat_low: "1 very unhappy", sat_high: "5 very happy",
      recommend: "How likely are you to recommend it to a colleague?", rec_low: "0 not at all", rec_high: "10 certainly",
      return: "Will you come back next year?", yes: "Yes", no: "No", unsure: "Not sure",
      purpose: "What did you come for? (several allowed)", comment: "Anything else? (optional)",
      submit: "Send", thanks: "Thank you! Have a safe trip home.",
      need: "Please choose satisfaction and recommendation",
      already_answered: "This badge answered today already: you may answer without it",
      invalid: "Not a valid badge: you may answer without it",
      revoked: "This badge was replaced: you may answer without it", offline: "Cannot reach the server: try again",
      unchecked: "The badge could not be checked now; it will be when you send",
      pair: "This device is not paired: please call the staff",
      stars: "{n} stars", sourcing: "Sourcing", new_products: "New products", suppliers: "Finding suppliers",
      networking: "Networking", seminars: "Seminars", market: "Market research", other: "Other" },
  };
  const IDLE_MS = 90000;  // a half-filled survey left this long is cleared for the next visitor
  const purposes = $("survey").dataset.purposes.split(",");
  let lang = "zh";
  let state;
  let badge = { kind: "none", text: "scan" };
  let resetTimer = null;
  let idleTimer = null;

  function reset() {
    state = { satisfaction: null, recommend: null, return_intent: undefined, purpose: new Set(), code: null };
    badge = { kind: "none", text: "scan" };
    $("comment").value = "";
    $("result").hidden = true;
    clearTimeout(idleTimer);
    build();
  }

  function touched() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(reset, IDLE_MS);
  }

  function choice(container, values, label, aria, isOn, onPick) {
    $(container).innerHTML = "";
    for (const v of values) {
      const b = document.createElement("button");
      b.type = "button";
      const text = label(v);
      if (typeof text === "string") b.textContent = text; else b.append(...text);
      if (aria) b.setAttribute("aria-label", aria(v));
      b.dataset.value = String(v);
      const on = isOn(v);
      b.classList.toggle("on", on);
      b.setAttribute("aria-pressed", String(on));
      b.addEventListener("click", () => { onPick(v); touched(); build(); });
      $(container).appendChild(b);
    }
  }

  function build() {
    const t = T[lang];
    $("badge").dataset.kind = badge.kind;
    $("badge-icon").textContent = { ok: "✓", bad: "✗", warn: "!", none: "", busy: "…" }[badge.kind] || "";
    $("badge-text").textContent = t[badge.text] || "";
    // Stars on a kiosk; on a phone, where five stars do not fit a button, the number and one star.
    const stars = (v) => {
      const n = document.createElement("span"); n.className = "n"; n.textContent = String(v);
      const s = document.createElement("span"); s.className = "stars"; s.textContent = "★".repeat(v);
      return [n, s];
    };
    choice("satisfaction", [1, 2, 3, 4, 5], stars, (v) => t.stars.replace("{n}", v),
      (v) => state.satisfaction === v, (v) => { state.satisfaction = v; });
    choice("recommend", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], String, null, (v) => state.recommend === v,
      (v) => { state.recommend = v; });
    choice("return_intent", [true, false, null], (v) => (v === true ? t.yes : v === false ? t.no : t.unsure), null,
      (v) => state.return_intent === v, (v) => { state.return_intent = v; });
    choice("purpose", purposes, (v) => t[v] || v, null, (v) => state.purpose.has(v),
      (v) => { state.purpose.has(v) ? state.purpose.delete(v) : state.purpose.add(v); });
  }

  function message(kind, key, fallback) {
    const r = $("result");
    r.hidden = false;
    r.dataset.kind = kind;
    r.textContent = T[lang][key] || fallback || key;
  }

  async function scanned(code) {
    code = code.trim();
    if (!code) return;
    touched();
    state.code = null;
    badge = { kind: "busy", text: "checking" };
    build();
    const res = await Floor.post("/surveys/badge", { code });
    if (res.status === 200) { state.code = code; badge = { kind: "ok", text: "scanned" }; }
    else if (res.status === 401 || res.status === 403) badge = { kind: "warn", text: "pair" };
    else if (res.status === 0 || res.status >= 500) { state.code = code; badge = { kind: "warn", text: "unchecked" }; }
    else badge = { kind: "bad", text: T.en[res.data.error] ? res.data.error : "invalid" };
    build();
  }

  async function submit() {
    if (state.satisfaction === null || state.recommend === null) { message("warn", "need"); return; }
    const body = { satisfaction: state.satisfaction, recommend: state.recommend,
      return_intent: state.return_intent === undefined ? null : state.return_intent,
      purpose: [...state.purpose], comment: $("comment").value };
    if (state.code) body.code = state.code;
    const res = await Floor.post("/surveys/responses", body);
    if (res.status === 201) {
      message("ok", "thanks");
      clearTimeout(idleTimer);
      clearTimeout(resetTimer);
      resetTimer = setTimeout(reset, 6000);
    } else {
      message("bad", res.status === 0 ? "offline" : res.data.error, res.data.message || String(res.status));
      if (["already_answered", "invalid", "revoked"].includes(res.data.error)) {
        state.code = null;
        badge = { kind: "bad", text: res.data.error };
        build();
      }
    }
  }

  Floor.languages(T, (chosen) => { lang = chosen; if (state) build(); });
  $("submit").addEventListener("click", submit);
  $("comment").addEventListener("input", touched);
  Wedge.listen(scanned);
  window.ExitSurvey = { scanned };
  reset();
})();
