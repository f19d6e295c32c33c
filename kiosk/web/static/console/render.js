// Renders the live dashboard (and the wall) from the data the server pushes. It knows nothing of
// the socket: live.js calls ConsoleDashboard.render(snapshot), .deviceSummary(summary), .printers(list),
// .alerts(list) and .checkin(event). Names come from #console-names in the console's language
// and every time is venue time (the show's time zone, not the browser's).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const { esc, columns, hbars } = window.ConsoleCharts;
  const N = JSON.parse(($("console-names") || { textContent: "{}" }).textContent);
  const zh = N.lang === "zh";
  const t = (z, e) => (zh ? z : e);
  const tz = N.tz || "UTC";
  const fmt = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  const fmtMin = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const time = (iso, seconds) => {
    if (!iso) return "–";
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : (seconds === false ? fmtMin : fmt).format(d);
  };
  const gate = (g) => (N.gates && N.gates[g]) || g || "";
  const category = (c) => (N.categories && N.categories[c]) || c || "";
  const purpose = (p) => (N.purposes && N.purposes[p]) || String(p).replace(/_/g, " ");
  const role = (r) => (N.roles && N.roles[r]) || r;
  const num = (n) => (n == null ? "–" : Number(n).toLocaleString(zh ? "zh-CN" : "en-GB"));
  let last = null;

  function rows(el, html, cols) {
    $(el).innerHTML = html.join("") || `<tr><td class="muted" colspan="${cols || 1}">–</td></tr>`;
  }

  function tick() {
    const c = $("clock");
    if (c) c.textContent = fmtMin.format(new Date());
  }
  tick();
  setInterval(tick, 10000);

  function render(d) {
    last = d;
    const s = d.stats;
    for (const key of ["registered", "checked_in", "inside_now", "leads"]) $(key).textContent = num(s[key]);
    $("satisfaction").textContent = d.survey.satisfaction_mean == null ? "–" : d.survey.satisfaction_mean + " / 5";
    $("nps").textContent = d.survey.nps == null ? "–" : d.survey.nps;
    const gates = Object.entries(s.by_gate);
    hbars($("gates"), gates.map(([g, v]) => ({
      key: g, label: gate(g), value: v.inside, total: Math.max(v.in, v.inside),
      note: t(`入 ${num(v.in)} · 出 ${num(v.out)} · 场内 ${num(v.inside)}`, `in ${num(v.in)} · out ${num(v.out)} · inside ${num(v.inside)}`),
    })));
    hbars($("categories"), Object.entries(s.by_category).map(([c, v]) => ({
      key: c, label: category(c), value: v.checked_in, total: v.registered,
      note: `${num(v.checked_in)} / ${num(v.registered)}`,
    })));
    latest(d.latest);
    rows("booths", d.booths.map((b) =>
      `<tr><td>${esc(b.name)}</td><td>${esc(b.booth)}</td><td class="num">${num(b.leads)}</td><td class="num">${num(b.hot || 0)}</td></tr>`), 4);
    $("sessions").innerHTML = d.sessions.map((x) => {
      const pct = x.capacity ? Math.min(100, Math.round(100 * x.attended / x.capacity)) : 0;
      const name = (N.sessions && N.sessions[x.id]) || x.name[N.lang] || x.id;
      return `<p>${esc(name)} <span class="muted small">${esc(x.room)}</span><br>` +
        `<b class="occupancy" data-session="${esc(x.id)}">${x.attended} / ${x.capacity || "∞"}</b>` +
        `<span class="meter"><i class="${pct >= 100 ? "full" : ""}" style="width:${pct}%"></i></span></p>`;
    }).join("") || '<p class="muted">–</p>';
    const sv = d.survey;
    $("survey").innerHTML = `<p><b id="survey-answers">${sv.answers}</b> ${t("份回答", "answers")} · ${t("满意度", "satisfaction")} ${sv.satisfaction_mean ?? "–"} · NPS ${sv.nps ?? "–"} · ` +
      `${t("会再来", "would return")} ${sv.return_yes == null ? "–" : sv.return_yes + "%"}</p>` +
      `<p class="small">${Object.entries(sv.satisfaction).map(([k, v]) => `<span aria-label="${k} / 5">${"★".repeat(+k)}</span> ${v}`).join(" · ")}</p>` +
      `<p class="small" id="purposes">${Object.entries(sv.purposes).map(([k, v]) => `${esc(purpose(k))} ${v}`).join(" · ")}</p>`;
    telemetry(d.telemetry);
    alerts(d.alerts);
    // Last: on the wall the chart takes the room the other cards leave it.
    arrivals(d.arrivals);
  }

  const onWall = !!document.querySelector("main.wall");
  function arrivals(buckets) {
    const el = $("arrivals");
    columns(el, buckets, { label: t("每 15 分钟入场", "Arrivals per 15 minutes"), unit: t("最近", "latest"), fit: onWall });
  }

  function latest(list) {
    rows("latest", list.slice(0, 12).map((p) =>
      `<tr><td class="when">${time(p.at)}</td><td>${esc(gate(p.place))}</td><td>${p.type === "checked_in" ? t("入", "in") : t("出", "out")}</td>` +
      `<td><a href="/staff/people/${p.attendee_id}">${esc(p.full_name)}</a></td><td class="muted">${esc(p.company)}</td></tr>`), 5);
  }

  function wait(s) {
    if (s == null) return t("持续增加", "growing");
    if (s < 60) return t(`${s} 秒`, `${s} s`);
    return t(`${Math.round(s / 60)} 分钟`, `${Math.round(s / 60)} min`);
  }

  function telemetry(tm) {
    if (!tm || !$("telemetry")) return;
    const entries = Object.entries(tm.gates);
    rows("telemetry", entries.map(([g, v]) => {
      const answer = v.answer_ms_p50 == null ? "–" : `${v.answer_ms_p50} ms` +
        (v.answer_ms_p95 != null && v.answer_ms_p95 !== v.answer_ms_p50 ? ` <span class="muted small">p95 ${v.answer_ms_p95} ms</span>` : "");
      return `<tr data-gate="${esc(g)}" data-behind="${v.behind}" class="${v.behind ? "off" : ""}">` +
        `<td>${esc(gate(g))}<br><span class="muted small">${t(`${v.kiosks} 台自助机`, `${v.kiosks} kiosk${v.kiosks === 1 ? "" : "s"}`)}</span></td>` +
        `<td class="num">${v.scans_per_min}</td><td class="num">${answer}</td>` +
        `<td class="num wait">${v.arrivals_per_min ? wait(v.wait_s) : "–"}${v.behind ? ` <b class="bad">${t("排队", "behind")}</b>` : ""}</td></tr>`;
    }), 4);
    $("telemetry-note").textContent = t(
      `最近 ${tm.window_min} 分钟；每位 ${tm.service_s} 秒；等候超过 ${Math.round(tm.alert_wait_s / 60)} 分钟报警`,
      `last ${tm.window_min} min; ${tm.service_s} s per visitor; alert past ${Math.round(tm.alert_wait_s / 60)} min wait`);
    const behind = entries.filter(([, v]) => v.behind);
    const box = $("behind");
    box.hidden = !behind.length;
    box.textContent = behind.map(([g, v]) => t(
      `${gate(g)} 排队过长：每分钟 ${v.arrivals_per_min} 人到达，可处理 ${v.capacity_per_min} 人，预计等候 ${wait(v.wait_s)}`,
      `${gate(g)} is falling behind: ${v.arrivals_per_min} arrivals/min for ${v.capacity_per_min}/min, estimated wait ${wait(v.wait_s)}`)).join(" · ");
  }

  function alerts(list) {
    $("alerts").innerHTML = list.length ? list.map((a) =>
      `<li><span class="when">${time(a.at, false)}</span> · <b>${esc(String(a.kind).replace(/_/g, " "))}</b> ${esc(a.message)}</li>`).join("") : '<li class="muted">–</li>';
  }

  const PRINTER_STATES = {
    ready: ["就绪", "ready"], stopped: ["已停止", "stopped"], out_of_paper: ["缺纸", "out of paper"],
    paper_jam: ["卡纸", "paper jam"], offline: ["离线", "offline"], door_open: ["机盖打开", "door open"],
    missing: ["未找到", "missing"], no_cups: ["打印服务未运行", "print system down"], timeout: ["无响应", "not answering"],
    ok: ["正常", "ok"], error: ["故障", "error"],
  };

  function printerState(state) {
    return PRINTER_STATES[state] ? t(...PRINTER_STATES[state]) : state;
  }

  // Device health as the server summarises it (`device_summary`): counts by role, the devices that need attention and
  // the gates' kiosks, a bounded few however many booth phones there are (the Devices page lists them all). It comes
  // only when something changed, so the ages are counted here from the server's clock (`at`) and keep moving.
  let summary = null, skew = 0;
  function deviceSummary(s) {
    summary = s;
    skew = Date.now() - Date.parse(s.at);
    drawDevices();
  }
  setInterval(() => drawDevices(), 5000);

  function since(seconds) {
    if (seconds < 60) return t(`${Math.round(seconds)} 秒`, `${Math.round(seconds)} s`);
    if (seconds < 3600) return t(`${Math.round(seconds / 60)} 分钟`, `${Math.round(seconds / 60)} min`);
    return t(`${Math.round(seconds / 3600)} 小时`, `${Math.round(seconds / 3600)} h`);
  }

  function deviceRow(x, second, last) {
    // Red only for a device that answered before and stopped; grey for one never heard from.
    const never = x.last_seen == null;
    const state = `<span class="dot ${x.online ? "on" : never ? "never" : "off"}"></span>`;
    const age = Math.max(0, (Date.now() - skew - Date.parse(x.last_seen)) / 1000);
    const when = x.online ? t("在线", "online") : never ? t("未连接", "never") :
      `${time(x.last_seen)} <span class="muted small">(${since(age)})</span>`;
    return `<tr class="${x.online || never ? "" : "off"}" data-device="${x.id}" data-online="${x.online}" data-trouble="${x.trouble || ""}">` +
      `<td>${state}${esc(x.name)}</td><td>${second}</td><td class="when">${when}</td><td>${last}</td></tr>`;
  }

  function printerOf(x) {
    if (!x.printer_state) return esc(x.printer || "");
    const p = x.printer_state;
    return `${esc(x.printer || "")} ${esc(printerState(p.state))}${p.message ? ` <span class="muted small">${esc(p.message)}</span>` : ""}`;
  }

  function drawDevices() {
    if (!summary || !$("devices")) return;
    const s = summary;
    $("device-counts").innerHTML = Object.entries(s.by_role).map(([r, c]) =>
      `<span data-role="${esc(r)}"><b>${esc(role(r))}</b> ${t(`${num(c.online)} / ${num(c.total)} 在线`, `${num(c.online)} of ${num(c.total)} online`)}` +
      (c.offline ? ` · <span class="bad">${t(`${num(c.offline)} 离线`, `${num(c.offline)} offline`)}</span>` : "") +
      (c.trouble > c.offline ? ` · <span class="bad">${t(`${num(c.trouble - c.offline)} 打印机故障`, `${num(c.trouble - c.offline)} printer trouble`)}</span>` : "") +
      (c.never ? ` · <span class="muted">${t(`${num(c.never)} 从未连接`, `${num(c.never)} never seen`)}</span>` : "") + "</span>").join("") ||
      `<span class="muted">${t("还没有设备", "No devices yet")}</span>`;
    rows("attention", s.attention.map((x) => deviceRow(x, esc(role(x.role)) + (x.gate ? " · " + esc(gate(x.gate)) : ""),
      x.trouble === "offline" ? `<b class="bad">${t("离线", "offline")}</b>` : `${t("打印机", "Printer")}: ${printerOf(x)}`)), 4);
    rows("devices", s.kiosks.map((x) => deviceRow(x, esc(gate(x.gate)), printerOf(x))), 4);
    const more = [];
    if (s.attention_total > s.attention.length) {
      more.push(`<a href="/staff/devices?state=attention">${t(`另有 ${num(s.attention_total - s.attention.length)} 台需要处理`, `${num(s.attention_total - s.attention.length)} more need attention`)}</a>`);
    }
    if (s.kiosks_total > s.kiosks.length) {
      more.push(`<a href="/staff/devices?role=kiosk">${t(`另有 ${num(s.kiosks_total - s.kiosks.length)} 台自助机`, `${num(s.kiosks_total - s.kiosks.length)} more kiosks`)}</a>`);
    }
    more.push(`<a href="/staff/devices">${t("设备页：全部设备", "All devices on the Devices page")}</a>`);
    $("devices-more").innerHTML = more.join(" · ");
  }

  function printers(list) {
    if (!$("printers")) return;
    rows("printers", list.map((p) =>
      `<tr class="${p.ok ? "" : "off"}" data-printer="${esc(p.printer)}" data-state="${esc(p.state)}">` +
      `<td><span class="dot ${p.ok ? "on" : "off"}"></span>${esc(p.printer)}</td>` +
      `<td title="${esc(p.message)}">${esc(printerState(p.state))}</td><td>${time(p.checked_at)}</td></tr>`), 3);
  }

  function checkin(ev) {
    // Shown at once; the next snapshot brings the counts.
    if (!last) return;
    last.latest.unshift({ at: ev.at, place: ev.gate, type: ev.direction === "in" ? "checked_in" : "checked_out",
      attendee_id: ev.attendee.id, full_name: ev.attendee.full_name, company: ev.attendee.company });
    last.latest = last.latest.slice(0, 15);
    latest(last.latest);
  }

  function stats(s) { if (last) { last.stats = s; render(last); } }
  function alert(a) { if (last) { last.alerts.unshift(a); alerts(last.alerts); } }
  function connection(state) {
    const c = $("conn");
    const text = { on: t("● 已连接", "● connected"), off: t("● 离线", "● offline"), refused: t("● 被拒：请重新登录", "● refused: sign in again") };
    c.textContent = text[state];
    c.className = `conn ${state === "on" ? "ok" : "bad"}`;
  }

  // The charts follow the container's size.
  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => { if (last) arrivals(last.arrivals); }, 150);
  });
  // On the wall the chart fills its box: drawn again whenever the box changes size (fonts
  // arriving, other cards growing), never the other way round (the chart sits out of the flow).
  if (onWall && window.ResizeObserver) {
    let drawn = "";
    new ResizeObserver((entries) => {
      const r = entries[0].contentRect;
      const size = `${Math.round(r.width)}x${Math.round(r.height)}`;
      if (last && size !== drawn) { drawn = size; columns($("arrivals"), last.arrivals, { fit: true, label: t("每 15 分钟入场", "Arrivals per 15 minutes") }); }
    }).observe($("arrivals"));
  }
  // The wall: any click or key asks for full screen (there are no controls to press).
  if (onWall) {
    const full = () => { if (!document.fullscreenElement && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {}); };
    document.addEventListener("click", full);
    document.addEventListener("keydown", full);
  }

  window.ConsoleDashboard = { render, deviceSummary, printers, alerts, alert, checkin, stats, connection };
})();
