// The post standards' pages: confirmations and the cards' print button (no inline script: the site keeps
// to a strict Content-Security-Policy).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset ? event.target.dataset.confirm : "";
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
