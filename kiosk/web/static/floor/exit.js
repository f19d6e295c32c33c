// Exit survey kiosk: touch answers in zh or en; a scanned badge ties the answer to the visitor,
// otherwise it is anonymous. After a thank-you the page resets for the next visitor.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const T = {
    zh: { title: "离场问卷", intro: "感谢光临！请花一分钟告诉我们您的感受。", scan: "可扫描胸卡（可选）",
      scanned: "已扫描胸卡 ✓", satisfaction: "您对本届展会的满意度？（1 很不满意 – 5 非常满意）",
      recommend: "您向同行推荐本展会的可能性？（0 – 10）", return: "明年还会再来吗？",
      yes: "会", no: "不会", unsure: "不确定", purpose: "您此行的目的？（可多选）", comment: "其他意见",
      submit: "提交", thanks: "谢谢！祝您一路顺风。", need: "请选择满意度和推荐可能性",
      already_answered: "此胸卡今天已填写过问卷", invalid: "无效胸卡", revoked: "胸卡已作废", lang: "English",
      sourcing: "采购", new_products: "了解新产品", suppliers: "寻找供应商", networking: "行业交流",
      seminars: "参加论坛", market: "市场调研", other: "其他" },
    en: { title: "Exit survey", intro: "Thank you for coming! One minute to tell us how it went.",
      scan: "Scan your badge (optional)", scanned: "Badge scanned ✓",
      satisfaction: "How satisfied are you with the show? (1 very unhappy – 5 very happy)",
      recommend: "How likely are you to recommend it to a colleague? (0 – 10)", return: "Will you come back next year?",
      yes: "Yes", no: "No", unsure: "Not sure", purpose: "What did you come for? (several allowed)",
      comment: "Anything else?", submit: "Send", thanks: "Thank you! Have a safe trip home.",
      need: "Please choose satisfaction and recommendation", already_answered: "This badge answered today already",
      invalid: "Not a valid badge", revoked: "This badge was replaced", lang: "中文",
      sourcing: "Sourcing", new_products: "New products", suppliers: "Finding suppliers", networking: "Networking",
      seminars: "Seminars", market: "Market research", other: "Other" },
  };
  const purposes = $("survey").dataset.purposes.split(",");
  let lang = localStorage.getItem("exit.lang") || document.documentElement.lang || "zh";
  let state;
  let resetTimer = null;

  function reset() {
    state = { satisfaction: null, recommend: null, return_intent: undefined, purpose: new Set(), code: null };
    $("comment").value = "";
    $("result").classList.add("hidden");
    build();
  }

  function choice(container, values, label, isOn, onPick) {
    $(container).innerHTML = "";
    for (const v of values) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label(v);
      b.dataset.value = String(v);
      if (isOn(v)) b.classList.add("on");
      b.addEventListener("click", () => { onPick(v); build(); });
      $(container).appendChild(b);
    }
  }

  function build() {
    const t = T[lang];
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t[el.dataset.t]; });
    $("lang").textContent = t.lang;
    if (state.code) $("badge").textContent = t.scanned;
    choice("satisfaction", [1, 2, 3, 4, 5], (v) => "★".repeat(v), (v) => state.satisfaction === v,
      (v) => { state.satisfaction = v; });
    choice("recommend", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], String, (v) => state.recommend === v,
      (v) => { state.recommend = v; });
    choice("return_intent", [true, false, null], (v) => (v === true ? t.yes : v === false ? t.no : t.unsure),
      (v) => state.return_intent === v, (v) => { state.return_intent = v; });
    choice("purpose", purposes, (v) => t[v] || v, (v) => state.purpose.has(v),
      (v) => { state.purpose.has(v) ? state.purpose.delete(v) : state.purpose.add(v); });
  }

  function message(cls, text) {
    const r = $("result");
    r.className = "result " + cls;
    r.textContent = text;
  }

  async function submit() {
    const t = T[lang];
    if (state.satisfaction === null || state.recommend === null) { message("warn", t.need); return; }
    const body = { satisfaction: state.satisfaction, recommend: state.recommend,
      return_intent: state.return_intent === undefined ? null : state.return_intent,
      purpose: [...state.purpose], comment: $("comment").value };
    if (state.code) body.code = state.code;
    const res = await Floor.post("/surveys/responses", body);
    if (res.status === 201) {
      message("ok", t.thanks);
      clearTimeout(resetTimer);
      resetTimer = setTimeout(reset, 6000);
    } else {
      message("error", t[res.data.error] || res.data.message || String(res.status));
      if (res.data.error === "already_answered" || res.data.error === "invalid") state.code = null;
    }
  }

  $("lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("exit.lang", lang); build(); });
  $("submit").addEventListener("click", submit);
  Wedge.listen((code) => { state.code = code; build(); });
  window.ExitSurvey = { scanned: (code) => { state.code = code; build(); } };
  reset();
})();
