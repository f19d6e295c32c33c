// The live dashboard: the server pushes `dashboard` (at most every 2 s), `devices` (every 2 s),
// `printers` (every 5 s), `checkin` and `alert` as they happen. At (re)connect it sends a full snapshot, so a dashboard
// that was offline catches up without a reload. The signed-in session cookie authenticates.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const time = (iso) => {
    if (!iso) return "–";
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  };
  let last = null;

  function rows(el, html) { $(el).innerHTML = html.join("") || '<tr><td class="muted">–</td></tr>'; }

  function chart(buckets) {
    const w = 560, h = 160, pad = 22;
    const max = Math.max(1, ...buckets.map((b) => b.n));
    const bw = (w - pad) / Math.max(1, buckets.length);
    const bars = buckets.map((b, i) => {
      const bh = Math.round((h - 2 * pad) * b.n / max);
      const x = pad + i * bw;
      const label = (i % Math.ceil(buckets.length / 8) === 0) ?
        `<text x="${x}" y="${h - 4}">${b.t}</text>` : "";
      return `<rect x="${x + 1}" y="${h - pad - bh}" width="${Math.max(1, bw - 2)}" height="${bh}"><title>${b.t}: ${b.n}</title></rect>${label}`;
    });
    return `<svg class="bars" viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="arrivals per 15 minutes">` +
      `<text x="0" y="12">${max}</text>${bars.join("")}</svg>`;
  }

  function render(d) {
    last = d;
    const s = d.stats;
    for (const key of ["registered", "checked_in", "inside_now", "leads"]) $(key).textContent = s[key];
    $("satisfaction").textContent = d.survey.satisfaction_mean == null ? "–" : d.survey.satisfaction_mean + " / 5";
    $("nps").textContent = d.survey.nps == null ? "–" : d.survey.nps;
    rows("gates", Object.entries(s.by_gate).map(([g, v]) =>
      `<tr><td>${esc(g)}</td><td>${v.in}</td><td>${v.out}</td><td>${v.inside}</td></tr>`));
    rows("categories", Object.entries(s.by_category).map(([c, v]) =>
      `<tr><td>${esc(c)}</td><td>${v.registered}</td><td>${v.checked_in}</td></tr>`));
    $("arrivals").innerHTML = chart(d.arrivals);
    rows("latest", d.latest.map((p) =>
      `<tr><td>${time(p.at)}</td><td>${esc(p.place)}</td><td>${p.type === "checked_in" ? "in 入" : "out 出"}</td>` +
      `<td><a href="/staff/people/${p.attendee_id}">${esc(p.full_name)}</a></td><td class="muted">${esc(p.company)}</td></tr>`));
    rows("booths", d.booths.map((b) =>
      `<tr><td>${esc(b.name)}</td><td>${esc(b.booth)}</td><td>${b.leads}</td><td>${b.hot || 0}</td></tr>`));
    $("sessions").innerHTML = d.sessions.map((x) => {
      const pct = x.capacity ? Math.min(100, Math.round(100 * x.attended / x.capacity)) : 0;
      return `<p>${esc(x.name.zh)} · ${esc(x.name.en)} <span class="muted small">${esc(x.room)}</span><br>` +
        `<b class="occupancy" data-session="${esc(x.id)}">${x.attended} / ${x.capacity || "∞"}</b>` +
        `<span class="meter"><i class="${pct >= 100 ? "full" : ""}" style="width:${pct}%"></i></span></p>`;
    }).join("") || '<p class="muted">–</p>';
    const sv = d.survey;
    $("survey").innerHTML = `<p><b id="survey-answers">${sv.answers}</b> answers · 满意度 ${sv.satisfaction_mean ?? "–"} · NPS ${sv.nps ?? "–"} · ` +
      `会再来 return ${sv.return_yes == null ? "–" : sv.return_yes + "%"}</p>` +
      `<p class="small">${Object.entries(sv.satisfaction).map(([k, v]) => `${"★".repeat(+k)} ${v}`).join(" · ")}</p>` +
      `<p class="small muted">${Object.entries(sv.purposes).map(([k, v]) => `${esc(k)} ${v}`).join(" · ")}</p>`;
    renderAlerts(d.alerts);
  }

  function renderAlerts(list) {
    $("alerts").innerHTML = list.length ? list.map((a) =>
      `<li>${time(a.at)} · <b>${esc(a.kind)}</b> ${esc(a.message)}</li>`).join("") : '<li class="muted">–</li>';
  }

  function renderDevices(list) {
    rows("devices", list.filter((x) => x.role !== "staff").map((x) => {
      // Red only for a device that answered before and stopped; grey for one never heard from.
      const never = x.age_s == null;
      const state = `<span class="dot ${x.online ? "on" : never ? "never" : "off"}"></span>`;
      const age = never ? "never 未连接" : `${time(x.last_seen)} (${Math.round(x.age_s)} s)`;
      const p = x.printer ? `${esc(x.printer)} ${x.printer_state ? esc(x.printer_state.state) : ""}` : "";
      return `<tr class="${x.online || never ? "" : "off"}" data-device="${x.id}" data-online="${x.online}">` +
        `<td>${state}${esc(x.name)}</td><td>${esc(x.role)}${x.gate ? " · " + esc(x.gate) : ""}</td><td>${age}</td><td>${p}</td></tr>`;
    }));
  }

  const PRINTER_STATES = {
    ready: "ready 就绪", stopped: "stopped 已停止", out_of_paper: "out of paper 缺纸",
    paper_jam: "paper jam 卡纸", offline: "offline 离线", door_open: "door open 机盖打开",
    missing: "missing 未找到", no_cups: "print system down 打印服务未运行", timeout: "not answering 无响应",
  };

  function renderPrinters(list) {
    rows("printers", list.map((p) =>
      `<tr class="${p.ok ? "" : "off"}" data-printer="${esc(p.printer)}" data-state="${esc(p.state)}">` +
      `<td><span class="dot ${p.ok ? "on" : "off"}"></span>${esc(p.printer)}</td>` +
      `<td title="${esc(p.message)}">${esc(PRINTER_STATES[p.state] || p.state)}</td><td>${time(p.checked_at)}</td></tr>`));
  }

  const socket = io("/live", { transports: ["websocket", "polling"] });
  socket.on("connect", () => { $("conn").textContent = "● live 实时"; $("conn").className = "conn small ok"; });
  socket.on("disconnect", () => { $("conn").textContent = "● offline 离线"; $("conn").className = "conn small bad"; });
  socket.on("connect_error", () => { $("conn").textContent = "● refused: sign in again"; $("conn").className = "conn small bad"; });
  socket.on("dashboard", render);
  socket.on("devices", renderDevices);
  socket.on("printers", renderPrinters);
  socket.on("stats", (s) => { if (last) { last.stats = s; render(last); } });
  socket.on("checkin", (ev) => {
    // Shown at once; the next snapshot (within a second) brings the counts.
    if (!last) return;
    last.latest.unshift({ at: ev.at, place: ev.gate, type: ev.direction === "in" ? "checked_in" : "checked_out",
      attendee_id: ev.attendee.id, full_name: ev.attendee.full_name, company: ev.attendee.company });
    last.latest = last.latest.slice(0, 15);
    render(last);
  });
  socket.on("alert", (a) => { if (last) { last.alerts.unshift(a); renderAlerts(last.alerts); } });
})();
