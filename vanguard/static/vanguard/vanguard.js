// Vanguard's own scripts: kept small, no inline script anywhere, so a strict Content-Security-Policy holds.
document.addEventListener("change", (event) => {
  const select = event.target.closest("form[data-autosubmit] select");
  if (select) select.form.requestSubmit();
});
