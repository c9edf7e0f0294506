// The discuss and consent phases: reactions and questions on definitions, the listening check,
// the proposal with its votes — for participants, the facilitator and the projector.
import { el, t } from "./live.js";

const REACTIONS = ["herken", "eens", "oneens", "pas"];
const VERDICTS = ["klopt", "deels", "nee"];
const CHOICES = ["akkoord", "leven", "bezwaar"];

function field(label, control) {
  return el("div", {}, el("label", { for: control.id, text: label }), control);
}

// Adds reaction buttons, questions and answers under a definition (participant screens).
export function decorateForParticipant(item, definition, { state, me, send }) {
  const discussion = state.discussion || {};
  const mine = state.my_discussion?.my_reactions?.[String(definition.id)] || null;
  const box = el("div", { class: "reactions" });
  if (state.round.phase === "discuss") {
    box.append(el("div", { class: "row", role: "group", "aria-label": t("react_to", { n: definition.number || "" }) },
      REACTIONS.map((kind) => el("button", {
        type: "button", class: `reaction${mine === kind ? " chosen" : ""}`, "aria-pressed": String(mine === kind),
        onclick: () => send("react", { definition_id: definition.id, kind: mine === kind ? null : kind }),
      }, t(`reaction_${kind}`)))));
  }
  const questions = (discussion.questions || []).filter((q) => q.definition_id === definition.id);
  const isMine = state.my_definition_ids?.has(definition.id);
  for (const question of questions) {
    const answerBox = question.answer ? el("p", { class: "answer" }, el("strong", { text: `${t("answer")}: ` }), question.answer)
      : isMine ? answerForm(question, send) : el("p", { class: "muted", text: t("awaiting_answer") });
    box.append(el("div", { class: "question" }, el("p", {}, el("strong", { text: `${t("question")}: ` }), question.text), answerBox));
  }
  if (state.round.phase === "discuss" && !isMine) box.append(questionForm(definition, send));
  item.querySelector("div")?.append(box);
}

function questionForm(definition, send) {
  const input = el("input", { id: `q-${definition.id}`, maxlength: "1000", placeholder: t("ask_placeholder") });
  return el("details", {},
    el("summary", { text: t("ask_question") }),
    el("form", { class: "row", onsubmit: async (e) => { e.preventDefault(); if ((await send("ask_question", { definition_id: definition.id, text: input.value })).ok) input.value = ""; } },
      el("label", { class: "visually-hidden", for: input.id, text: t("ask_question") }), input,
      el("button", { type: "submit", class: "secondary" }, t("send"))));
}

function answerForm(question, send) {
  const input = el("input", { id: `a-${question.id}`, maxlength: "1000" });
  return el("form", { class: "row", onsubmit: (e) => { e.preventDefault(); send("answer_question", { question_id: question.id, text: input.value }); } },
    el("label", { class: "visually-hidden", for: input.id, text: t("your_answer") }), input,
    el("button", { type: "submit", class: "secondary" }, t("answer_button")));
}

function listeningTask(state, send) {
  const mine = state.my_discussion?.my_restatement;
  const toJudge = state.my_discussion?.to_judge || [];
  if (!mine && !toJudge.length) return null;
  const parts = [el("h2", { text: t("listening_check") })];
  if (mine) {
    const area = el("textarea", { id: "restatement", maxlength: "1000", rows: "3" });
    area.value = mine.text || "";
    parts.push(el("p", { text: t("restate_this") }), el("blockquote", { text: mine.definition_text }),
      el("form", { class: "stack", onsubmit: (e) => { e.preventDefault(); send("restate", { text: area.value }); } },
        field(t("in_your_words"), area), el("div", {}, el("button", { type: "submit" }, t("send")))));
    if (mine.written) parts.push(el("p", { class: "muted", text: mine.verdict ? t("verdict_given", { verdict: t(`verdict_${mine.verdict}`) }) : t("awaiting_verdict") }));
  }
  for (const restatement of toJudge) {
    parts.push(el("div", { class: "card" },
      el("p", {}, el("strong", { text: `${t("your_definition_retold")}: ` }), restatement.text),
      el("div", { class: "row", role: "group", "aria-label": t("does_it_match") },
        VERDICTS.map((v) => el("button", {
          type: "button", class: `reaction${restatement.verdict === v ? " chosen" : ""}`, "aria-pressed": String(restatement.verdict === v),
          onclick: () => send("judge_restatement", { restatement_id: restatement.id, verdict: v }),
        }, t(`verdict_${v}`))))));
  }
  return el("section", { class: "card", id: "listening-task" }, parts);
}

function proposalView(proposal) {
  return el("div", { class: "proposal" },
    el("p", { class: "proposal-text", text: proposal.text }),
    proposal.scope ? el("p", {}, el("strong", { text: `${t("scope")}: ` }), proposal.scope) : null,
    proposal.examples?.length ? el("ul", {}, proposal.examples.map((x) => el("li", { text: x }))) : null);
}

export function consentResults(consent) {
  if (!consent) return null;
  const partners = Object.entries(consent.per_partner || {});
  return el("div", { class: "consent-results" },
    el("p", { text: t("votes_so_far", { n: consent.voted, total: consent.total }) }),
    el("p", {}, CHOICES.map((c, i) => [i ? " · " : "", el("span", { class: `vote-${c}`, text: `${t(`choice_${c}`)}: ${consent.counts[c]}` })])),
    partners.length ? el("table", { class: "partner-table" },
      el("caption", { text: t("per_partner") }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("partner") }), CHOICES.map((c) => el("th", { scope: "col", text: t(`choice_${c}`) })))),
      el("tbody", {}, partners.map(([partner, row]) => el("tr", {}, el("th", { scope: "row", text: partner }), CHOICES.map((c) => el("td", { text: String(row[c] || 0) })))))) : null,
    consent.remarks?.length ? el("ul", { class: "remarks" }, consent.remarks.map((r) =>
      el("li", {}, el("strong", { text: `${t(`choice_${r.choice}`)} — ${r.participant} (${r.partner}): ` }), r.reason))) : null,
    consent.blocked ? el("p", { class: "unsaved", text: t("blocked") }) : null);
}

function voteForm(state, send) {
  const proposal = state.discussion?.proposal;
  const myVote = state.my_discussion?.my_vote;
  const reason = el("textarea", { id: "vote-reason", maxlength: "1000", rows: "2" });
  reason.value = myVote?.reason || "";
  const buttons = CHOICES.map((c) => el("button", {
    type: "button", class: `vote-button vote-${c}${myVote?.choice === c ? " chosen" : ""}`, "aria-pressed": String(myVote?.choice === c),
    onclick: () => send("vote", { proposal_id: proposal.id, choice: c, reason: reason.value }),
  }, t(`choice_${c}`)));
  return el("section", { class: "card", id: "consent" },
    el("h2", { text: t("proposal_number", { n: proposal.number }) }),
    proposalView(proposal),
    field(t("reservation_or_reason"), reason),
    el("div", { class: "row", role: "group", "aria-label": t("your_answer") }, buttons),
    myVote ? el("p", { class: "saved", text: t("your_vote", { choice: t(`choice_${myVote.choice}`) }) }) : null,
    consentResults(state.discussion.consent));
}

// The participant's discussion panel (listening task, consent), shown above the meanings.
export function renderParticipantDiscussion(container, state, send) {
  const phase = state.round?.phase;
  const parts = [];
  if (phase === "discuss") {
    parts.push(el("p", { class: "hint", text: t("discuss_help") }), listeningTask(state, send));
  }
  if (phase === "consent" && state.discussion?.proposal) parts.push(voteForm(state, send));
  container.replaceChildren(...parts.filter(Boolean));
}

// `heading` fits the page's outline: h2 on the projector, h4 inside the facilitator's panel.
export function listeningSummary(summary, heading = "h3") {
  if (!summary) return null;
  return el("div", { class: "card" },
    el(heading, { text: t("listening_check") }),
    el("p", { text: t(`listening_${summary.reading}`) }),
    el("p", { class: "muted", text: t("listening_numbers", { written: summary.written, assigned: summary.assigned, judged: summary.judged, klopt: summary.verdicts.klopt, deels: summary.verdicts.deels, nee: summary.verdicts.nee }) }),
    summary.mean_closeness !== null ? el("p", { class: "muted", text: t("mean_closeness", { percent: Math.round(summary.mean_closeness * 100) }) }) : null);
}

// The projector: the listening summary during discussion, the proposal and votes during consent.
export function renderProjectorDiscussion(container, state) {
  const d = state.discussion;
  if (!d) { container.replaceChildren(); return; }
  container.replaceChildren(...[
    state.round.phase === "consent" && d.proposal ? el("section", {}, el("h2", { text: t("proposal_number", { n: d.proposal.number }) }), proposalView(d.proposal), consentResults(d.consent)) : null,
    listeningSummary(d.listening, "h2"),
  ].filter(Boolean));
}
