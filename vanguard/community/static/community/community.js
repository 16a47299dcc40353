// The printable forms' print button (no inline script anywhere: the Content-Security-Policy stays strict).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
