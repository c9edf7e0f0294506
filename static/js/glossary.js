// Glossary pages: search while typing, the print button, copying a share link, and the
// "new meeting" title field of "opnieuw bespreken". Everything works without this script too.

function liveSearch(form) {
  const input = form.querySelector("input[type=search]");
  const results = document.getElementById("results");
  if (!input || !results) return;
  let timer = null;
  let latest = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const ticket = ++latest;
      const params = new URLSearchParams(new FormData(form));
      params.set("partial", "1");
      try {
        const response = await fetch(`${form.dataset.liveSearch}?${params}`, { headers: { Accept: "text/html" } });
        if (!response.ok || ticket !== latest) return;
        // The fragment is rendered (and escaped) by the server's own template.
        const fragment = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("results");
        if (fragment && ticket === latest) {
          results.replaceChildren(...fragment.childNodes);
          params.delete("partial");
          history.replaceState(null, "", `?${params}`);
        }
      } catch {
        // Offline or server gone: the search button still submits the form normally.
      }
    }, 200);
  });
}

document.querySelectorAll("form[data-live-search]").forEach(liveSearch);

document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));

document.querySelectorAll("[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    const text = document.getElementById(button.dataset.copy)?.textContent.trim();
    if (!text) return;
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = button.dataset.copied;
    } catch {
      window.getSelection().selectAllChildren(document.getElementById(button.dataset.copy));
    }
  });
});

document.querySelectorAll("select[data-new-meeting]").forEach((select) => {
  const row = document.getElementById(select.dataset.newMeeting);
  const sync = () => { row.hidden = select.value !== "new"; };
  select.addEventListener("change", sync);
  sync();
});
