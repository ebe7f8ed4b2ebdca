// Small behaviours without inline scripts (the CSP allows scripts from this site only).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
