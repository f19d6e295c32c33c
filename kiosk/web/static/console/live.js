// The live dashboard's socket: the server pushes `dashboard` (at most every 2 s), `devices` (on a change, every 10 s),
// `printers` (every 5 s), `checkins` (batches of check-ins, a few times a second) and `alert` as they happen. At (re)connect it sends a full snapshot, so a dashboard
// that was offline catches up without a reload. The signed-in session cookie authenticates.
// Drawing is render.js's (window.ConsoleDashboard); this file only routes events to it.
(function () {
  "use strict";
  const D = window.ConsoleDashboard;
  // `batch`: the check-ins come a few to a message (`checkins`), not one message each.
  const socket = io("/live", { auth: { batch: true }, transports: ["websocket", "polling"] });
  socket.on("connect", () => D.connection("on"));
  socket.on("disconnect", () => D.connection("off"));
  socket.on("connect_error", () => D.connection("refused"));
  socket.on("dashboard", D.render);
  socket.on("devices", D.devices);
  socket.on("printers", D.printers);
  socket.on("stats", D.stats);
  socket.on("checkins", (batch) => batch.forEach((ev) => D.checkin(ev)));
  socket.on("alert", D.alert);
})();
