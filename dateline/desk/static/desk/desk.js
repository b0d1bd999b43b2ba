// The desk's one small script: confirm before a destructive action (see dateline/desk/confirm.py).
// A form with data-confirm="question" asks it; on yes the form is sent with confirmed=yes. Without
// this script the server asks the same question on a page of its own.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (form.querySelector('input[name="confirmed"]')) return;
  if (!window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  const confirmed = document.createElement("input");
  confirmed.type = "hidden";
  confirmed.name = "confirmed";
  confirmed.value = "yes";
  form.append(confirmed);
  // The button that sent the form stays the one the server reads: it was the submitter.
});
