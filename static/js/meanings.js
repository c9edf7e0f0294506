// The meanings of a revealed round: divergence gauge, map, meaning cards, partner table and
// the words that meanings share but use differently. Facilitators also get the corrections.
import { el, t } from "./live.js";

const SVG = "http://www.w3.org/2000/svg";
// Same order as facilitator/charts.py: a meaning is recognised by colour AND shape.
const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C6D31"];
const SHAPES = {
  circle: "M8,1 A7,7 0 1,1 7.99,1 Z",
  square: "M2,2 H14 V14 H2 Z",
  triangle: "M8,1 L15,14 L1,14 Z",
  diamond: "M8,0 L16,8 L8,16 L0,8 Z",
  star: "M8,0 L10,6 L16,6 L11,10 L13,16 L8,12 L3,16 L5,10 L0,6 L6,6 Z",
  cross: "M5,0 H11 V5 H16 V11 H11 V16 H5 V11 H0 V5 H5 Z",
  "triangle-down": "M1,2 L15,2 L8,15 Z",
  hexagon: "M4,1 H12 L16,8 L12,15 H4 L0,8 Z",
};
const SHAPE_ORDER = Object.keys(SHAPES);
const READINGS = [[0.2, "same"], [0.4, "small"], [0.6, "some"], [0.8, "large"], [1.01, "very_large"]];

// A meaning's number comes from its id ("m3" is 3), so it keeps its number, colour and shape
// through corrections and the room's regrouping (a merge keeps the surviving meaning's).
export function meaningNumber(meaning, index) {
  const found = /^m(\d+)$/.exec(String(meaning?.id ?? ""));
  return found ? Number(found[1]) : index + 1;
}

export function meaningIcon(index) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("class", "meaning-icon");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", SHAPES[SHAPE_ORDER[index % SHAPE_ORDER.length]]);
  path.setAttribute("fill", COLOURS[index % COLOURS.length]);
  svg.append(path);
  return svg;
}

export function readingKey(divergence) {
  return READINGS.find(([limit]) => divergence < limit)[1];
}

// The reading comes with the analysis (one grouping, one verdict); the bands are the fallback.
function gauge(divergence, reading) {
  const key = reading && reading !== "none" ? reading : readingKey(divergence);
  const percent = Math.round(divergence * 100);
  const marker = el("span", { class: "gauge-marker" });
  marker.style.left = `${percent}%`;
  return el("div", { class: "gauge", role: "group", "aria-label": t("divergence") },
    el("div", { class: "gauge-head" },
      el("strong", { text: t(`reading_${key}`) }),
      el("span", { class: "muted", text: t("divergence_value", { percent }) })),
    el("div", { class: "gauge-bar", role: "meter", "aria-label": t("divergence"), "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(percent), "aria-valuetext": t(`reading_${key}`) },
      marker),
    el("div", { class: "gauge-scale", "aria-hidden": "true" },
      el("span", { text: t("reading_same") }), el("span", { text: t("reading_very_large") })),
  );
}

// Wraps the shared words of a text in <mark>, building text nodes only.
function highlighted(text, words) {
  if (!words.length) return [text];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(^|[^\\p{L}])(${escaped.join("|")})(?=[^\\p{L}]|$)`, "giu");
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index + match[1].length;
    parts.push(text.slice(last, start), el("mark", { text: match[2] }));
    last = start + match[2].length;
  }
  parts.push(text.slice(last));
  return parts;
}

function sharedWords(analysis) {
  return (analysis.shared_terms || []).map((item) => (typeof item === "string" ? item : item.term || item.word)).filter(Boolean);
}

function definitionItem(definition, number, ctx, meaning) {
  const who = [definition.author, definition.partner].filter(Boolean).join(" · ") || t("anonymous");
  const isRepresentative = String(definition.id) === String(meaning.representative_id);
  const isMine = ctx.mine?.has(String(definition.id));
  const item = el("li", { class: `meaning-definition${isRepresentative ? " representative" : ""}${isMine ? " mine" : ""}` },
    ctx.editable ? el("input", { type: "checkbox", class: "split-choice", value: String(definition.id), "aria-label": t("choose_for_split", { n: number }) }) : null,
    el("span", { class: "number", text: `${number}` }),
    el("div", {},
      el("p", {}, ...highlighted(definition.text, ctx.shared)),
      el("p", { class: "who" }, who, isRepresentative ? el("span", { class: "badge", text: t("representative") }) : null,
        isMine ? el("span", { class: "badge mine", text: t("your_definition") }) : null)),
  );
  if (ctx.decorate) ctx.decorate(item, definition, number);
  if (ctx.editable) {
    const options = ctx.analysis.meanings.map((other, otherIndex) =>
      el("option", { value: other.id, selected: other.id === meaning.id }, `${meaningNumber(other, otherIndex)}. ${other.label}`));
    options.push(el("option", { value: "new" }, t("new_meaning")));
    // Drag a definition onto another meaning; the menu below stays the keyboard's way.
    item.draggable = true;
    item.addEventListener("dragstart", (e) => {
      e.dataTransfer.setData("text/plain", String(definition.id));
      e.dataTransfer.effectAllowed = "move";
      item.classList.add("dragging");
    });
    item.addEventListener("dragend", () => item.classList.remove("dragging"));
    item.append(el("label", { class: "move" },
      el("span", { class: "visually-hidden", text: t("move_definition", { n: number }) }),
      el("select", { onchange: (e) => ctx.onCorrect({ action: "move", definition_id: Number(definition.id), meaning_id: e.target.value }) }, options)));
  }
  return item;
}

// A plenary's meaning: its representative (and on a phone its author's own definition) at once,
// the others page by page behind "Toon definities (N)"; the projector shows no list at all.
function pagedList(meaning, ctx) {
  const first = [meaning.representative, ...(ctx.ownDefinitions || []).filter((d) => meaning.definition_ids.includes(String(d.id)))]
    .filter((d, i, all) => d && all.findIndex((o) => String(o.id) === String(d.id)) === i);
  const item = (d) => definitionItem(d, d.number ?? ctx.numbers.get(String(d.id)) ?? "", ctx, meaning);
  const shown = el("ol", { class: "meaning-definitions" }, first.map(item));
  if (ctx.compact || !ctx.pages || meaning.size <= first.length) return [shown];
  const skip = new Set(first.map((d) => String(d.id)));
  const list = el("ol", { class: "meaning-definitions paged" });
  const pager = ctx.pages.list(`meaning:${meaning.id}`, { meaning_id: meaning.id }, list, item, skip);
  const fold = el("details", { class: "more paged-definitions", open: pager.open },
    el("summary", { text: t("show_definitions", { n: meaning.size }) }), list, pager.footer);
  fold.addEventListener("toggle", () => { pager.setOpen(fold.open); });
  return [shown, fold];
}

function meaningCard(meaning, position, ctx) {
  const definitions = ctx.paged ? [] : meaning.definition_ids.map((id) => ctx.byId.get(String(id))).filter(Boolean);
  const number = meaningNumber(meaning, position);
  const index = number - 1;
  const title = el("span", { text: `${number}. ${meaning.label}` });
  const size = el("span", { class: "meaning-size muted", text: t("meaning_size", { n: ctx.paged ? meaning.size : definitions.length }) });
  const item = (d) => definitionItem(d, ctx.numbers.get(String(d.id)), ctx, meaning);
  let list;
  if (ctx.paged) {
    list = pagedList(meaning, ctx);
  } else if (ctx.compact && definitions.length > 1) {
    // The projector: the representative definition, the rest behind "meer", so that up to 30
    // definitions fit on one screen without scrolling.
    const first = definitions.find((d) => String(d.id) === String(meaning.representative_id)) || definitions[0];
    const rest = definitions.filter((d) => d !== first);
    list = [el("ol", { class: "meaning-definitions" }, item(first)),
      el("details", { class: "more" }, el("summary", { text: t("more_definitions", { n: rest.length }) }),
        el("ol", { class: "meaning-definitions" }, rest.map(item)))];
  } else {
    list = el("ol", { class: "meaning-definitions" }, definitions.map(item));
  }
  const holders = Object.entries(ctx.analysis.partners || {}).filter(([, row]) => row[meaning.id]).map(([partner]) => partner);
  const body = [
    meaning.terms?.length ? el("ul", { class: "chips words", "aria-label": t("distinguishing_words") },
      meaning.terms.map((w) => el("li", { text: w }))) : null,
    ctx.compact && holders.length ? el("p", { class: "holders muted", text: holders.join(" · ") }) : null,
    list,
  ];
  let card;
  if (ctx.folded) {
    // Phones: one meaning open at a time is readable in one hand; yours opens first.
    const mine = meaning.definition_ids.some((id) => ctx.mine?.has(String(id)));
    const open = ctx.wasOpen ? ctx.wasOpen.has(meaning.id) : mine;
    card = el("details", { class: "meaning", "data-meaning-id": meaning.id, open },
      el("summary", {}, el("h3", {}, meaningIcon(index), title, size),
        ctx.paged && mine ? el("span", { class: "badge mine", text: t("your_definition_here") }) : null), ...body);
  } else {
    card = el("article", { class: "meaning", "data-meaning-id": meaning.id },
      el("h3", {}, meaningIcon(index), title, size), ...body);
  }
  card.style.setProperty("--meaning-colour", COLOURS[index % COLOURS.length]);
  if (ctx.editable) {
    card.append(correctionControls(meaning, number, ctx, card));
    card.addEventListener("dragover", (e) => { e.preventDefault(); card.classList.add("drop-target"); });
    card.addEventListener("dragleave", () => card.classList.remove("drop-target"));
    card.addEventListener("drop", (e) => {
      e.preventDefault();
      card.classList.remove("drop-target");
      const definitionId = e.dataTransfer.getData("text/plain");
      if (definitionId && !meaning.definition_ids.map(String).includes(definitionId)) {
        ctx.onCorrect({ action: "move", definition_id: Number(definitionId), meaning_id: meaning.id });
      }
    });
  }
  return card;
}

function correctionControls(meaning, number, ctx, card) {
  const labelInput = el("input", { value: meaning.label, maxlength: "80", "aria-label": t("meaning_name", { n: number }) });
  const others = ctx.analysis.meanings.filter((m) => m.id !== meaning.id);
  const mergeSelect = el("select", { "aria-label": t("merge_with") },
    el("option", { value: "" }, t("merge_with")),
    others.map((m) => el("option", { value: m.id }, `${meaningNumber(m, ctx.analysis.meanings.indexOf(m))}. ${m.label}`)));
  return el("div", { class: "corrections" },
    el("form", { class: "row", onsubmit: (e) => { e.preventDefault(); ctx.onCorrect({ action: "rename", meaning_id: meaning.id, label: labelInput.value }); } },
      labelInput, el("button", { type: "submit", class: "secondary" }, t("rename"))),
    el("div", { class: "row" },
      others.length ? mergeSelect : null,
      others.length ? el("button", { type: "button", class: "secondary", onclick: () => mergeSelect.value && ctx.onCorrect({ action: "merge", meaning_ids: [meaning.id, mergeSelect.value] }) }, t("merge")) : null,
      meaning.definition_ids.length > 1 ? el("button", {
        type: "button", class: "secondary",
        onclick: () => {
          const chosen = [...card.querySelectorAll(".split-choice:checked")].map((c) => Number(c.value));
          ctx.onCorrect({ action: "split", meaning_id: meaning.id, definition_ids: chosen });
        },
      }, t("split")) : null),
  );
}

// Said, not hidden: when the spread does not clearly show one meaning or several, the room decides.
function uncertainty(analysis) {
  if (analysis.certainty !== "unsure") return null;
  const about = analysis.uncertainty?.about;
  const key = about === "one_meaning" && analysis.meanings.length === 1 ? "unsure_one" : "unsure_several";
  return el("p", { class: "unsure", role: "note" }, el("strong", { text: t(key) }), " ", t("unsure_hint"));
}

function partnerTable(analysis) {
  const partners = Object.entries(analysis.partners || {});
  if (!partners.length) return null;
  return el("table", { class: "partner-table", tabindex: "0" },
    el("caption", { text: t("partner_table") }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("partner") }),
      analysis.meanings.map((m, i) => el("th", { scope: "col" }, meaningIcon(meaningNumber(m, i) - 1), ` ${meaningNumber(m, i)}`)))),
    el("tbody", {}, partners.map(([partner, row]) => el("tr", {},
      el("th", { scope: "row", text: partner }),
      analysis.meanings.map((m) => el("td", { text: row[m.id] ? String(row[m.id]) : "–" }))))),
  );
}

// Pages of definitions fetched from the server (get_definitions), kept across re-renders of the
// same analysis so that a reaction or a new vote elsewhere does not fold what a person opened.
// `fetchPage(params)` resolves to the acknowledgement {ok, definitions, total, offset, limit}.
const PAGE = 50;
function pageStore(container, analysis, fetchPage) {
  const key = `${analysis.round_id}:${analysis.version}`;
  let store = container.pagedDefinitions;
  if (!store || store.round !== analysis.round_id) store = { round: analysis.round_id, lists: new Map(), search: "" };
  if (store.key !== key) {
    // Another grouping: the pages of a meaning may be out of date, so they are fetched again (open ones at once).
    for (const list of store.lists.values()) { list.items = []; list.total = null; }
    store.key = key;
  }
  container.pagedDefinitions = store;
  return {
    list(name, params, node, render, skip = new Set()) {
      const state = store.lists.get(name) || { items: [], total: null, open: false, loading: false };
      store.lists.set(name, state);
      const more = el("button", { type: "button", class: "secondary more-button" }, t("more"));
      const status = el("p", { class: "muted page-status", role: "status" });
      const footer = el("div", { class: "row page-footer" }, more, status);
      // The newest rendering paints: an answer that arrives after a re-render lands on screen.
      state.paint = () => {
        node.replaceChildren(...state.items.filter((d) => !skip.has(String(d.id))).map(render));
        more.hidden = state.total === null || state.items.length >= state.total;
        more.disabled = state.loading;
        status.textContent = state.error || (state.loading ? t("loading")
          : state.total === null ? "" : t("shown_of", { n: state.items.length, total: state.total }));
      };
      const load = async () => {
        if (state.loading) return;
        state.loading = true; state.error = null;
        state.paint();
        const ack = await fetchPage({ ...params, offset: state.items.length, limit: PAGE });
        state.loading = false;
        if (ack.ok && ack.offset === state.items.length) {
          state.items.push(...ack.definitions);
          state.total = ack.total;
        } else if (!ack.ok) {
          state.error = ack.error;
        }
        state.paint();
      };
      more.addEventListener("click", load);
      state.paint();
      if (state.open && state.total === null) load();
      return {
        footer, open: state.open,
        setOpen(open) { state.open = open; if (open && state.total === null) load(); },
      };
    },
    get search() { return store.search; },
    set search(query) { store.search = query; },
  };
}

// A plenary's search over all definitions (text, example, author, partner as shown), debounced.
function definitionSearch(ctx) {
  const input = el("input", { type: "search", id: "definition-search", maxlength: "100", autocomplete: "off",
    placeholder: t("search_placeholder"), "aria-describedby": "definition-search-hint" });
  input.value = ctx.pages.search;
  const results = el("ol", { class: "meaning-definitions search-results" });
  const byMeaning = new Map(ctx.analysis.meanings.flatMap((m) => m.definition_ids.map((id) => [String(id), m])));
  const item = (d) => definitionItem(d, d.number, ctx, byMeaning.get(String(d.id)) || {});
  let pager = null;
  let footer = el("div");
  const start = (query) => {
    ctx.pages.search = query;
    if (!query) { results.replaceChildren(); footer.replaceChildren(); return; }
    pager = ctx.pages.list(`search:${query}`, { query }, results, item);
    footer.replaceChildren(pager.footer);
    pager.setOpen(true);
  };
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => start(input.value.trim()), 300);
  });
  const section = el("section", { class: "definition-search", "aria-label": t("search_label", { n: ctx.count }) },
    el("label", { for: input.id, text: t("search_label", { n: ctx.count }) }), input,
    el("p", { class: "hint", id: "definition-search-hint", text: t("search_hint") }), results, footer);
  if (input.value) start(input.value);
  return section;
}

function similarityList(analysis, ctx) {
  const pairs = analysis.similarities || [];
  if (!pairs.length) return null;
  return el("div", { class: "card" },
    el("h3", { text: t("few_definitions") }),
    el("ul", {}, pairs.map((p) => el("li", {
      text: t("pair_similarity", { a: ctx.numbers.get(String(p.a)), b: ctx.numbers.get(String(p.b)), percent: Math.round(p.similarity * 100) }),
    }))));
}

function driftView(drift) {
  if (!drift) return null;
  return el("section", { class: "card drift" },
    el("h3", { text: t("drift_title", { version: drift.agreed_version }) }),
    el("blockquote", { text: drift.agreed_definition }),
    el("p", { text: t("drift_summary", { n: drift.drifted, d: t("definitions_count", { n: drift.definition_count ?? drift.definitions.length }) }) }),
    drift.partners.length ? el("table", { class: "partner-table", tabindex: "0" },
      el("caption", { text: t("drift_per_partner") }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("partner") }), el("th", { scope: "col", text: t("drift_distance") }))),
      el("tbody", {}, drift.partners.map((p) => el("tr", {},
        el("th", { scope: "row", text: p.partner }),
        el("td", { class: p.drift ? "unsaved" : "" }, `${Math.round(p.distance * 100)}%`, p.drift ? ` — ${t("drifted")}` : ""))))) : null);
}

// Renders the whole analysis into `container`. `definitions` are the revealed definitions in
// reveal order (their numbers); `mapUrl` is the server-drawn SVG map.
// `mine` (definition ids) marks the viewer's own definition; `folded` shows the meanings as an
// accordion (phones), keeping open what the person opened across updates.
// A plenary (`analysis.definitions_paged`): `definitions` is empty; the meanings carry their
// representatives, `fetchPage` loads the rest (see pageStore) and `ownDefinitions` are the
// viewer's own texts, shown in their meaning at once.
export function renderAnalysis(container, analysis, definitions, { editable = false, onCorrect = null, mapUrl = null, decorate = null, mine = null, folded = false, compact = false, fetchPage = null, ownDefinitions = null } = {}) {
  if (!analysis) {
    container.replaceChildren(el("p", { class: "muted", text: t("analysing") }));
    return;
  }
  if (analysis.error) {
    container.replaceChildren(el("p", { class: "muted", text: t("analysis_failed") }));
    return;
  }
  const paged = Boolean(analysis.definitions_paged);
  const count = paged ? analysis.definition_count : definitions.length;
  const byId = new Map(definitions.map((d) => [String(d.id), d]));
  const numbers = new Map(definitions.map((d, i) => [String(d.id), i + 1]));
  const shared = sharedWords(analysis);
  const shown = container.querySelectorAll("details.meaning");
  const wasOpen = folded && shown.length ? new Set([...shown].filter((d) => d.open).map((d) => d.dataset.meaningId)) : null;
  const pages = paged && fetchPage ? pageStore(container, analysis, fetchPage) : null;
  const ctx = { analysis, byId, numbers, editable, onCorrect, shared, decorate, mine, folded, wasOpen, compact, paged, pages, ownDefinitions, count };
  container.replaceChildren(...[
    el("div", { class: "analysis-summary" },
      gauge(analysis.divergence ?? 0, analysis.reading),
      uncertainty(analysis),
      el("p", { text: t("meanings_found", { n: analysis.meanings.length, d: t("definitions_count", { n: count }) }) }),
      shared.length ? el("p", {}, el("strong", { text: `${t("shared_words")}: ` }), shared.map((w, i) => [i ? ", " : "", el("mark", { text: w })])) : null),
    mapUrl ? el("figure", { class: "map" },
      el("img", { src: `${mapUrl}?v=${analysis.version}`, alt: t("map_alt", { n: analysis.meanings.length, d: t("definitions_count", { n: paged ? analysis.map_sample : count }) }), width: "640" }),
      el("figcaption", { class: "muted" }, t(paged ? "map_caption_sample" : "map_caption"), paged ? [" ", el("strong", { text: t("map_sample", { n: analysis.map_sample, total: count }) })] : null)) : null,
    pages && !compact ? definitionSearch(ctx) : null,
    driftView(analysis.drift),
    similarityList(analysis, ctx),
    el("div", { class: "meanings" }, analysis.meanings.map((m, i) => meaningCard(m, i, ctx))),
    partnerTable(analysis),
  ].filter(Boolean));
}
