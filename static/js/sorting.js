// Sorting after the reveal: the phone shows the person's own definition and then one card at a
// time with three big answers; staff and projector show the live count.
import { el, t } from "./live.js";

const VERDICTS = ["same", "different", "unsure"];
let position = null; // the card shown on this phone (null: the first unanswered one)
let positionRound = null;

// "14 antwoorden van 5 mensen"
export function sortingCount(sorting) {
  if (!sorting) return "";
  const answers = t("sorting_answers", { n: sorting.answers });
  const people = t("sorting_people", { n: sorting.people });
  return t("sorting_count", { answers, people });
}

function definitionCard(definition, extraClass) {
  const who = [definition.author, definition.partner].filter(Boolean).join(" · ");
  return el("blockquote", { class: `sort-card ${extraClass}` },
    el("p", { class: "sort-text", text: definition.text }),
    definition.example ? el("p", { class: "muted", text: `${t("example")}: ${definition.example}` }) : null,
    who ? el("p", { class: "muted small", text: who }) : null);
}

// Renders the phone's sorting part into `node`; `send(definitionId, verdict)` answers.
export function renderSortingPhone(node, mine, send) {
  if (!mine) { node.replaceChildren(); return; }
  if (!mine.my_definition) {
    node.replaceChildren(el("div", { class: "card" },
      el("h2", { text: t("sorting_title") }), el("p", { text: t("sorting_no_definition") })));
    return;
  }
  if (positionRound !== mine.round_id) { position = null; positionRound = mine.round_id; }
  const cards = mine.cards || [];
  const answers = mine.answers || {};
  const firstOpen = cards.findIndex((c) => !answers[String(c.id)]);
  const index = position ?? (firstOpen === -1 ? cards.length : firstOpen);
  const own = el("section", { class: "sort-own", "aria-labelledby": "sort-own-h" },
    el("h2", { id: "sort-own-h", class: "sort-label", text: t("sorting_yours") }),
    el("p", { class: "sort-own-text", text: mine.my_definition.text }));
  if (!cards.length || index >= cards.length) {
    const answered = cards.filter((c) => answers[String(c.id)]).length;
    node.replaceChildren(own, el("div", { class: "card sort-done", role: "status" },
      el("p", { class: "sort-done-title", text: t("sorting_done") }),
      el("p", { class: "muted", text: t("sorting_done_help", { n: answered }) }),
      cards.length ? el("button", { type: "button", class: "secondary big-target", onclick: () => { position = 0; renderSortingPhone(node, mine, send); } },
        t("sorting_review")) : null));
    return;
  }
  const card = cards[index];
  const chosen = answers[String(card.id)];
  const choose = async (verdict) => {
    const ack = await send(card.id, verdict);
    if (ack.ok) {
      answers[String(card.id)] = verdict;
      const open = cards.findIndex((c) => !answers[String(c.id)]);
      position = index + 1 < cards.length ? index + 1 : (open === -1 ? cards.length : open);
      renderSortingPhone(node, mine, send);
    }
  };
  node.replaceChildren(
    own,
    el("section", { class: "sort-step", "aria-labelledby": "sort-step-h" },
      el("p", { id: "sort-step-h", class: "sort-progress", text: t("sorting_progress", { n: index + 1, total: cards.length }) }),
      el("p", { class: "sort-question", text: t("sorting_question") }),
      definitionCard(card, "other"),
      el("div", { class: "sort-answers", role: "group", "aria-labelledby": "sort-step-h" },
        VERDICTS.map((verdict) => el("button", {
          type: "button", class: `sort-answer ${verdict}${chosen === verdict ? " chosen" : ""}`,
          "aria-pressed": chosen === verdict ? "true" : "false",
          onclick: () => choose(verdict),
        }, t(`verdict_${verdict}`)))),
      index > 0 ? el("button", { type: "button", class: "secondary sort-back big-target", onclick: () => { position = index - 1; renderSortingPhone(node, mine, send); } },
        t("sorting_previous")) : null));
}
