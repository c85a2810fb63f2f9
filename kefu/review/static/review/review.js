// Keyboard shortcuts of the review and appeal screens (质检复核).
// The rows are the automatic findings, then the scorecard items:
//   j / k      next / previous row (the finding's messages are highlighted in the chat)
//   c / x      confirm / reject the focused finding
//   0 - 5      score the focused item
//   Enter      submit (Ctrl+Enter inside the comment)
//   n          next conversation of the queue, without reviewing this one
//   Esc        leave the comment box
// Everything also works with the mouse; the form posts plain fields.
(function () {
  "use strict";
  const form = document.querySelector("[data-review-form]");
  if (!form) return;
  const rows = Array.from(form.querySelectorAll("[data-row]"));
  const totalEl = form.querySelector("[data-total]");
  let current = -1;

  function highlight(row) {
    document.querySelectorAll(".msg.is-current").forEach((m) => m.classList.remove("is-current"));
    const ids = (row.dataset.messages || "").split(" ").filter(Boolean);
    let first = null;
    ids.forEach((id) => {
      const message = document.querySelector('.msg[data-message="' + CSS.escape(id) + '"]');
      if (message) {
        message.classList.add("is-current");
        first = first || message;
      }
    });
    if (first) first.scrollIntoView({ block: "center" });
  }

  function focusRow(index) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, n) => row.classList.toggle("is-focused", n === current));
    const row = rows[current];
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
    highlight(row);
  }

  function choose(value) {
    const row = rows[current];
    if (!row) return false;
    const input = row.querySelector('input[type="radio"][value="' + value + '"]');
    if (!input) return false;
    input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    if (current < rows.length - 1) focusRow(current + 1);
    return true;
  }

  function updateTotal() {
    if (!totalEl) return;
    let weights = 0;
    let points = 0;
    let missing = false;
    form.querySelectorAll("[data-item]").forEach((row) => {
      const checked = row.querySelector("input:checked");
      const weight = Number(row.dataset.weight);
      weights += weight;
      if (checked) points += weight * Number(checked.value);
      else missing = true;
    });
    totalEl.textContent = missing || !weights ? "—" : ((points * 100) / (5 * weights)).toFixed(1);
  }

  rows.forEach((row, n) => row.addEventListener("click", () => focusRow(n)));
  document.querySelectorAll("[data-finding-ref]").forEach((mark) => {
    mark.addEventListener("click", (event) => {
      event.preventDefault();
      focusRow(Number(mark.dataset.findingRef));
    });
  });
  form.addEventListener("change", updateTotal);

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target.matches("textarea, input[type=text], input[type=number], select");
    if (typing) {
      if (event.key === "Escape") target.blur();
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.matches("a, button")) return;
    const key = event.key;
    const row = rows[current];
    let handled = true;
    if (key === "j") focusRow(current + 1);
    else if (key === "k") focusRow(current - 1);
    else if (key === "c" && row && row.dataset.finding) choose("confirmed");
    else if (key === "x" && row && row.dataset.finding) choose("rejected");
    else if (/^[0-5]$/.test(key) && row && row.dataset.item) choose(key);
    else if (key === "Enter") form.requestSubmit();
    else if (key === "n" && form.dataset.nextUrl) window.location.href = form.dataset.nextUrl;
    else handled = false;
    if (handled) event.preventDefault();
  });

  updateTotal();
  if (rows.length) focusRow(0);
})();
