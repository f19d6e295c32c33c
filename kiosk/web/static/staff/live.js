// Live counts over Socket.IO (/live): stats arrive at most once a second, check-ins as they happen.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  let gateNames = {};
  const gateName = (id) => (gateNames[id] && (gateNames[id].zh + " · " + gateNames[id].en)) || id;
  const cell = (text) => { const td = document.createElement("td"); td.textContent = text; return td; };
  function render(stats) {
    for (const key of ["registered", "checked_in", "inside_now", "leads"]) {
      $(key).textContent = stats[key];
    }
    $("gates").replaceChildren(...Object.entries(stats.by_gate).map(([gate, g]) => {
      const tr = document.createElement("tr");
      tr.append(cell(gateName(gate)), cell(g.in), cell(g.out), cell(g.inside));
      return tr;
    }));
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
      const time = new Date(ev.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
      const arrow = ev.direction === "out" ? "←" : "→";
      li.textContent = `${time} ${arrow} ${gateName(ev.gate)} · ${ev.attendee.full_name}`;
      $("latest").prepend(li);
      while ($("latest").children.length > 15) $("latest").lastChild.remove();
    });
  }
  $("pair").addEventListener("submit", (ev) => { ev.preventDefault(); KioskApi.setToken($("token").value); location.reload(); });
  async function start() {
    const me = await KioskApi.get("/me");
    if (me.status !== 200 || me.data.device.role !== "staff") {
      $("conn").textContent = "● refused";
      $("conn").className = "conn off";
      $("pair").classList.remove("hidden");
      return;
    }
    gateNames = Object.fromEntries(Object.entries(me.data.show.gates).map(([id, g]) => [id, g.name]));
    connect();
  }
  if (!KioskApi.token()) $("pair").classList.remove("hidden"); else start();
})();
