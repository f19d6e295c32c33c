// Destructive console actions ask first: a form with data-confirm="what will happen" opens the
// page's <dialog id="confirm"> naming the consequence; Cancel (or Esc) sends nothing, "Yes"
// sends the form. Without this script the form is sent as before and the server still decides.
(function () {
  "use strict";
  const dialog = document.getElementById("confirm");
  if (!dialog || typeof dialog.showModal !== "function") return;
  let pending = null;
  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm || form.dataset.confirmed) return;
    ev.preventDefault();
    pending = { form, submitter: ev.submitter || null };
    document.getElementById("confirm-text").textContent = form.dataset.confirm;
    const ok = document.getElementById("confirm-ok");
    ok.textContent = form.dataset.confirmOk || ok.dataset.default || ok.textContent;
    dialog.returnValue = "";
    dialog.showModal();
    document.getElementById("confirm-cancel").focus();
  }, true);
  const okButton = document.getElementById("confirm-ok");
  okButton.dataset.default = okButton.textContent;
  dialog.addEventListener("close", () => {
    const p = pending;
    pending = null;
    if (!p || dialog.returnValue !== "ok") { if (p && p.submitter) p.submitter.focus(); return; }
    p.form.dataset.confirmed = "1";
    if (p.form.requestSubmit) p.form.requestSubmit(p.submitter && p.submitter.form === p.form ? p.submitter : undefined);
    else p.form.submit();
  });
})();
