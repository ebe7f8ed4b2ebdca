// Small behaviours without inline scripts (the CSP allows scripts from this site only).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// A confirmation before an irreversible or bulk action (the button's data-confirm names the
// consequence). Without JavaScript the server shows a confirmation page instead.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const text = event.submitter && event.submitter.dataset.confirm;
  if (!text || form.querySelector("input[name=confirmed]")) return;
  if (!window.confirm(text)) {
    event.preventDefault();
    return;
  }
  const input = document.createElement("input");
  input.type = "hidden";
  input.name = "confirmed";
  input.value = "1";
  form.appendChild(input);
});
