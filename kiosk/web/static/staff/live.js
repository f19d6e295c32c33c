// Live counts over Socket.IO (/live): stats arrive at most once a second, check-ins as they happen.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  function render(stats) {
    for (const key of ["registered", "checked_in", "inside_now", "leads"]) {
      $(key).textContent = stats[key];
    }
    const rows = Object.entries(stats.by_gate).map(([gate, g]) =>
      `<tr><td>${gate}</td><td>${g.in}</td><td>${g.out}</td><td>${g.inside}</td></tr>`);
    $("gates").innerHTML = rows.join("");
    const booths = $("booths");
    if (booths) {
      booths.replaceChildren();
      (stats.leads_by_exhibitor || []).slice(0, 15).forEach((e) => {
        const tr = document.createElement("tr");
        [e.booth, e.name, e.leads, e.hot].forEach((v) => {
          const td = document.createElement("td");
          td.textContent = v;
          tr.append(td);
        });
        booths.append(tr);
      });
    }
  }
  function connect() {
    const socket = io("/live", { auth: { token: KioskApi.token() }, transports: ["websocket", "polling"] });
    socket.on("connect", () => { $("conn").textContent = "● live"; $("conn").className = "conn on"; });
    socket.on("disconnect", () => { $("conn").textContent = "● offline"; $("conn").className = "conn off"; });
    socket.on("connect_error", () => { $("conn").textContent = "● refused"; $("conn").className = "conn off";
      $("pair").classList.remove("hidden"); });
    socket.on("stats", render);
    socket.on("checkin", (ev) => {
      const li = document.createElement("li");
      li.textContent = `${ev.at.slice(11, 19)} · ${ev.gate} · ${ev.direction} · ${ev.attendee.full_name}`;
      $("latest").prepend(li);
      while ($("latest").children.length > 15) $("latest").lastChild.remove();
    });
  }
  $("pair").addEventListener("submit", (ev) => { ev.preventDefault(); KioskApi.setToken($("token").value); location.reload(); });
  if (!KioskApi.token()) $("pair").classList.remove("hidden"); else connect();
})();
