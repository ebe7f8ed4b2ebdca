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

// The scoring grid: arrow keys move between cells (Enter opens one, as any link).
const MOVES = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
document.addEventListener("keydown", (event) => {
  const move = MOVES[event.key];
  const link = move && event.target.closest && event.target.closest("[data-grid] a.cell");
  if (!link) return;
  const td = link.closest("td");
  const rows = Array.from(td.parentElement.parentElement.rows);
  let r = rows.indexOf(td.parentElement);
  let c = td.cellIndex;
  for (;;) {
    r += move[0];
    c += move[1];
    const row = rows[r];
    if (!row || c < 1 || c >= row.cells.length) return;
    const next = row.cells[c].querySelector("a.cell");
    if (next) {
      event.preventDefault();
      next.focus();
      return;
    }
  }
});

// Cell editing in place (htmx): focus the first field of the cell opened; Cancel closes it.
document.addEventListener("htmx:afterSwap", (event) => {
  const editor = event.detail.target;
  if (!editor || editor.id !== "cell-editor") return;
  const field = editor.querySelector("input:not([type=hidden]), textarea");
  if (field) field.focus();
  editor.scrollIntoView({ block: "nearest" });
});
document.addEventListener("click", (event) => {
  if (!event.target.closest("[data-close-editor]")) return;
  const editor = document.getElementById("cell-editor");
  if (!editor) return;
  event.preventDefault();
  editor.replaceChildren();
});
