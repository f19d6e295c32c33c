// Charts for the staff console, drawn as SVG at the container's real pixel size so their text
// stays at the page's font size (readable on a phone and from across a control room).
(function () {
  "use strict";
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  // Vertical bars: buckets [{t: "09:15", n: 12}], one label per hour or as many as fit.
  function columns(el, buckets, opts) {
    const o = Object.assign({ label: "", unit: "", fit: false }, opts || {});
    const font = parseFloat(getComputedStyle(el).fontSize) || 16;
    const w = Math.max(240, Math.floor(el.clientWidth || 600));
    // A chart told to fill its box (the wall) takes the box's height.
    const h = o.fit && el.clientHeight > 120 ? Math.floor(el.clientHeight) : Math.round(Math.max(180, Math.min(w * 0.38, font * 18)));
    const left = font * 2.6, bottom = font * 1.8, top = font * 1.4;
    const max = Math.max(1, ...buckets.map((b) => b.n));
    const step = niceStep(max);
    const ceil = Math.ceil(max / step) * step;
    const plotH = h - top - bottom, plotW = w - left - 4;
    const bw = plotW / Math.max(1, buckets.length);
    const perLabel = Math.ceil((font * 3.2) / bw);
    const parts = [];
    for (let v = 0; v <= ceil; v += step) {
      const y = top + plotH - plotH * v / ceil;
      parts.push(`<line class="grid" x1="${left}" x2="${w}" y1="${y}" y2="${y}"/>` +
        `<text class="axis" x="${left - 6}" y="${y + font * 0.35}" text-anchor="end">${v}</text>`);
    }
    buckets.forEach((b, i) => {
      const bh = plotH * b.n / ceil;
      const x = left + i * bw;
      parts.push(`<rect x="${x + 1}" y="${top + plotH - bh}" width="${Math.max(1, bw - 2)}" height="${bh}">` +
        `<title>${esc(b.t)}: ${b.n}</title></rect>`);
      // Every bucket when there is room for its label, else whole hours (every 1, 2, 3... h).
      const [hh, mm] = b.t.split(":").map(Number);
      const show = perLabel <= 1 || (mm === 0 && hh % Math.ceil(perLabel / 4) === 0);
      if (show) {
        parts.push(`<text class="axis" x="${x + bw / 2}" y="${h - font * 0.4}" text-anchor="middle">${esc(b.t)}</text>`);
      }
    });
    const lastN = buckets.length ? buckets[buckets.length - 1].n : 0;
    el.innerHTML = `<svg class="bars" style="display:block" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" ` +
      `aria-label="${esc(o.label)}: ${esc(o.unit)} ${lastN}">${parts.join("")}</svg>`;
  }

  function niceStep(max) {
    const raw = max / 4;
    const mag = Math.pow(10, Math.floor(Math.log10(Math.max(1, raw))));
    for (const m of [1, 2, 5, 10]) if (raw <= m * mag) return Math.max(1, m * mag);
    return 10 * mag;
  }

  // Horizontal bars: rows [{label, value, total, note}], a bar of value/total (or of the max).
  function hbars(el, rows, opts) {
    const o = Object.assign({ empty: "–" }, opts || {});
    if (!rows.length) { el.innerHTML = `<p class="muted">${esc(o.empty)}</p>`; return; }
    const max = Math.max(1, ...rows.map((r) => r.total != null ? r.total : r.value));
    el.innerHTML = `<ul class="hbar-list">` + rows.map((r) => {
      const of = r.total != null ? r.total : max;
      const pct = of ? Math.min(100, 100 * r.value / of) : 0;
      const scale = r.total != null ? 100 * r.total / max : 100;
      return `<li data-key="${esc(r.key)}"><span class="hb-label">${esc(r.label)}</span>` +
        `<span class="hb-track" style="width:${scale}%"><i style="width:${pct}%"></i></span>` +
        `<span class="hb-value">${esc(r.note)}</span></li>`;
    }).join("") + `</ul>`;
  }

  window.ConsoleCharts = { columns, hbars, esc };
})();
