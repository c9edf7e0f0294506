// The partner-documents page: start the analysis, poll its progress, show the ranked terms, and
// put a term on a meeting's agenda with one click.
(function () {
  const section = document.getElementById("terms-section");
  if (!section) return;
  const d = section.dataset;
  const bar = document.getElementById("progress");
  const barText = document.getElementById("progress-text");
  const list = document.getElementById("terms");
  const post = (url, body) => fetch(url, {method: "POST", headers: {"Content-Type": "application/json", "X-CSRFToken": d.csrf}, body: JSON.stringify(body || {})}).then((r) => r.json());

  function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }

  function example(text, hl) {
    const p = el("q", "kwic");
    p.append(text.slice(0, hl[0]), el("mark", "", text.slice(hl[0], hl[1])), text.slice(hl[1]));
    return p;
  }

  function render(result) {
    list.replaceChildren();
    for (const t of result.terms) {
      const li = el("li", "card term-" + t.reading);
      const head = el("h3", "", t.term + " ");
      head.append(el("span", "badge", t.reading_text));
      li.append(head);
      if (t.entry) {
        const a = el("p", t.entry.status === "vastgesteld" ? "agreed" : "in-glossary");
        const link = el("a", "", t.entry.status === "vastgesteld" ? d.tAgreed : d.tConcept);
        link.href = d.entryUrl.replace(/0$/, String(t.entry.id));
        a.append(link, ": ", t.entry.definition);
        li.append(a);
      }
      const uses = el("div", "partner-uses");
      li.append(uses);
      for (const [name, info] of Object.entries(t.partners)) {
        const div = el("div", "partner-use");
        div.append(el("strong", "", name + " · " + info.count + " " + d.tTimes));
        info.examples.forEach((x, i) => div.append(example(x, info.highlights[i])));
        uses.append(div);
      }
      if (t.senses.length > 1) {
        const ul = el("ul", "senses"); ul.setAttribute("aria-label", d.tSenses);
        for (const s of t.senses) ul.append(el("li", "", s.partners.join(", ") + (s.words.length ? ": " + s.words.join(", ") : "")));
        li.append(el("strong", "", d.tSenses), ul);
      }
      const meeting = document.getElementById("meeting");
      if (meeting) {
        const b = el("button", "secondary add-agenda", d.tAdd); b.type = "button";
        b.addEventListener("click", () => post(d.agenda, {meeting_id: Number(meeting.value), term: t.term}).then((r) => { if (r.ok) { b.textContent = d.tAdded; b.disabled = true; } }));
        li.append(b);
      }
      list.append(li);
    }
  }

  function show(a) {
    if (a.status === "queued" || a.status === "running") {
      bar.hidden = false; bar.value = a.progress || 0; barText.textContent = a.message || "";
      setTimeout(() => fetch(d.status).then((r) => r.json())
        .then((r) => r.ok ? show(r.analysis) : (barText.textContent = r.error))
        .catch(() => show(a)), 700);  // a dropped connection: ask again
    } else if (a.status === "done") {
      bar.hidden = true; barText.textContent = ""; render(a.result);
    } else if (a.status === "failed") {
      bar.hidden = true; barText.textContent = a.error || d.tFailed;
    }
  }

  document.getElementById("analyse").addEventListener("click", () => post(d.analyse).then((r) => r.ok ? show(r.analysis) : (barText.textContent = r.error)));
  show(JSON.parse(document.getElementById("analysis-data").textContent));
})();
