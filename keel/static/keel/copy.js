// Copy buttons: <button data-copy="ID"> copies the value of the input with that id, and says
// so in the element with data-copy-status="ID" (a live region), for screen-reader users too.
// The clipboard API needs a secure context (https or localhost); elsewhere the text is
// selected and copied the old way, or left selected for Ctrl+C.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  const status = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`);
  if (!input) return;
  let copied = false;
  try {
    await navigator.clipboard.writeText(input.value);
    copied = true;
  } catch {
    input.focus();
    input.select();
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
  }
  if (status) status.textContent = copied ? "Copied." : "Selected: press Ctrl+C (or ⌘C) to copy.";
});
