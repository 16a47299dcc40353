// The archive book's print button (no inline script: the site keeps to a strict Content-Security-Policy).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
