// The live dashboard's socket: the server pushes `dashboard` (at most every 2 s), `device_summary` (within 2 s of a
// change, only then), `printers` (every 5 s), `checkins` (batches of check-ins, a few times a second) and `alert` as they happen. At (re)connect it sends a full snapshot, so a dashboard
// that was offline catches up without a reload. The signed-in session cookie authenticates.
// Drawing is render.js's (window.ConsoleDashboard); this file only routes events to it.
(function () {
  "use strict";
  const D = window.ConsoleDashboard;
  // `batch`: the check-ins come a few to a message (`checkins`), not one message each; `summary`: device health as
  // counts, the gates' kiosks and what needs attention (`device_summary`), not every booth phone (the Devices page lists them).
  const socket = io("/live", { auth: { batch: true, summary: true }, transports: ["websocket", "polling"] });
  socket.on("connect", () => D.connection("on"));
  socket.on("disconnect", () => D.connection("off"));
  socket.on("connect_error", () => D.connection("refused"));
  socket.on("dashboard", D.render);
  socket.on("device_summary", D.deviceSummary);
  socket.on("printers", D.printers);
  socket.on("stats", D.stats);
  socket.on("checkins", (batch) => batch.forEach((ev) => D.checkin(ev)));
  socket.on("alert", D.alert);
})();
