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
// `send(event, payload, origin)`: a refusal is shown next to `origin`, the control that caused it.
export function decorateForParticipant(item, definition, { state, send }, number = "") {
  const discussion = state.discussion || {};
  const mine = state.my_discussion?.my_reactions?.[String(definition.id)] || null;
  const box = el("div", { class: "reactions" });
  const isMine = state.my_definition_ids?.has(definition.id);
  if (state.round.phase === "discuss" && !isMine) {
    box.append(el("div", { class: "row", role: "group", "aria-label": t("react_to", { n: number }) },
      REACTIONS.map((kind) => el("button", {
        type: "button", class: `reaction${mine === kind ? " chosen" : ""}`, "aria-pressed": String(mine === kind),
        onclick: (e) => send("react", { definition_id: definition.id, kind: mine === kind ? null : kind }, e.currentTarget.parentElement),
      }, t(`reaction_${kind}`)))));
  }
  const questions = (discussion.questions || []).filter((q) => q.definition_id === definition.id);
  for (const question of questions) {
    const answerBox = question.answer ? el("p", { class: "answer" }, el("strong", { text: `${t("answer")}: ` }), question.answer)
      : isMine ? answerForm(question, send) : el("p", { class: "muted", text: t("awaiting_answer") });
    box.append(el("div", { class: "question" }, el("p", {}, el("strong", { text: `${t("question")}: ` }), question.text), answerBox));
  }
  if (state.round.phase === "discuss" && !isMine) box.append(questionForm(definition, send));
  item.querySelector("div")?.append(box);
}

function questionForm(definition, send) {
  const input = el("textarea", { id: `q-${definition.id}`, maxlength: "1000", rows: "3", placeholder: t("ask_placeholder") });
  return el("details", {},
    el("summary", { text: t("ask_question") }),
    el("form", { class: "stack", onsubmit: async (e) => { e.preventDefault(); if ((await send("ask_question", { definition_id: definition.id, text: input.value }, e.currentTarget)).ok) input.value = ""; } },
      el("label", { class: "visually-hidden", for: input.id, text: t("ask_question") }), input,
      el("div", {}, el("button", { type: "submit", class: "secondary" }, t("send")))));
}

function answerForm(question, send) {
  const input = el("textarea", { id: `a-${question.id}`, maxlength: "1000", rows: "3" });
  return el("form", { class: "stack", onsubmit: (e) => { e.preventDefault(); send("answer_question", { question_id: question.id, text: input.value }, e.currentTarget); } },
    el("label", { for: input.id, text: t("your_answer") }), input,
    el("div", {}, el("button", { type: "submit", class: "secondary" }, t("answer_button"))));
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
      el("form", { class: "stack", onsubmit: (e) => { e.preventDefault(); send("restate", { text: area.value }, e.currentTarget); } },
        field(t("in_your_words"), area), el("div", {}, el("button", { type: "submit" }, t("send")))));
    if (mine.written) parts.push(el("p", { class: "muted", text: mine.verdict ? t("verdict_given", { verdict: t(`verdict_${mine.verdict}`) }) : t("awaiting_verdict") }));
  }
  for (const restatement of toJudge) {
    parts.push(el("div", { class: "card" },
      el("p", {}, el("strong", { text: `${t("your_definition_retold")}: ` }), restatement.text),
      el("div", { class: "row", role: "group", "aria-label": t("does_it_match") },
        VERDICTS.map((v) => el("button", {
          type: "button", class: `reaction${restatement.verdict === v ? " chosen" : ""}`, "aria-pressed": String(restatement.verdict === v),
          onclick: (e) => send("judge_restatement", { restatement_id: restatement.id, verdict: v }, e.currentTarget.parentElement),
        }, t(`verdict_${v}`))))));
  }
  return el("section", { class: "card", id: "listening-task" }, parts);
}

// What changed since the previous proposal, word by word (deleted struck through, added marked).
function proposalDiff(proposal) {
  const previous = proposal.previous;
  if (!previous?.diff?.some(([op]) => op !== "equal")) return null;
  return el("div", { class: "proposal-diff" },
    el("p", { class: "muted", text: t("changed_since", { n: previous.number }) }),
    el("p", {}, previous.diff.map(([op, text]) => op === "equal" ? text
      : el(op === "insert" ? "ins" : "del", {}, el("span", { class: "visually-hidden", text: op === "insert" ? `${t("added")}: ` : `${t("removed")}: ` }), text))));
}

function proposalView(proposal) {
  return el("div", { class: "proposal" },
    el("p", { class: "proposal-text", text: proposal.text }),
    proposalDiff(proposal),
    proposal.scope ? el("p", {}, el("strong", { text: `${t("scope")}: ` }), proposal.scope) : null,
    proposal.examples?.length ? el("ul", {}, proposal.examples.map((x) => el("li", { text: x }))) : null);
}

export function consentResults(consent) {
  if (!consent) return null;
  const partners = Object.entries(consent.per_partner || {});
  return el("div", { class: "consent-results" },
    el("p", { text: t("votes_so_far", { n: consent.voted, total: consent.total }) }),
    el("p", {}, CHOICES.map((c, i) => [i ? " · " : "", el("span", { class: `vote-${c}`, text: `${t(`choice_${c}`)}: ${consent.counts[c]}` })])),
    partners.length ? el("table", { class: "partner-table", tabindex: "0" },
      el("caption", { text: t("per_partner") }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("partner") }), CHOICES.map((c) => el("th", { scope: "col", text: t(`choice_${c}`) })))),
      el("tbody", {}, partners.map(([partner, row]) => el("tr", {}, el("th", { scope: "row", text: partner }), CHOICES.map((c) => el("td", { text: String(row[c] || 0) })))))) : null,
    consent.remarks?.length ? el("ul", { class: "remarks" }, consent.remarks.map((r) =>
      el("li", {}, el("strong", { text: `${t(`choice_${r.choice}`)} — ${r.participant} (${r.partner}): ` }), r.reason))) : null,
    consent.blocked ? el("p", { class: "unsaved", text: t("blocked") }) : null);
}

function voteForm(state, send) {
  const proposal = state.discussion?.proposal;
  const myVote = state.my_discussion?.my_vote?.proposal_id === proposal.id ? state.my_discussion.my_vote : null;
  // A fresh box per proposal: its id carries the proposal, so an earlier reason never carries over.
  const reason = el("textarea", { id: `vote-reason-${proposal.id}`, class: "vote-reason", maxlength: "1000", rows: "2" });
  reason.value = myVote?.reason || "";
  const choices = el("div", { class: "choices", role: "group", "aria-label": t("your_answer") }, CHOICES.map((c) => el("div", { class: "choice" },
    el("button", {
      type: "button", class: `vote-button vote-${c}${myVote?.choice === c ? " chosen" : ""}`, "aria-pressed": String(myVote?.choice === c),
      "aria-describedby": `explain-${c}`,
      onclick: async () => {
        const ack = await send("vote", { proposal_id: proposal.id, choice: c, reason: reason.value }, choices);
        if (!ack.ok && c === "bezwaar") reason.focus();
      },
    }, t(`choice_${c}`)),
    el("p", { class: "explain", id: `explain-${c}`, text: t(`explain_${c}`) }))));
  return el("section", { class: "card", id: "consent" },
    el("h2", { text: t("proposal_number", { n: proposal.number }) }),
    proposalView(proposal),
    field(t("reservation_or_reason"), reason),
    choices,
    myVote ? el("p", { class: "saved", text: t("your_vote", { choice: t(`choice_${myVote.choice}`) }) }) : null,
    // The tallies only after your own vote: nobody anchors on how the others voted.
    myVote ? consentResults(state.discussion.consent)
      : el("p", { class: "muted", text: `${t("votes_so_far", { n: state.discussion.consent?.voted ?? 0, total: state.discussion.consent?.total ?? 0 })} ${t("results_after_vote")}` }));
}

// "Je hebt een vraag gekregen": questions about my own definitions that wait for my answer.
function questionNotice(state) {
  const open = (state.discussion?.questions || []).filter((q) => !q.answer && state.my_definition_ids?.has(q.definition_id));
  if (!open.length) return null;
  return el("p", { class: "flash info notice", role: "status" }, t("question_received"), " ",
    el("a", { href: `#a-${open[0].id}`, onclick: (e) => {
      const target = document.getElementById(`a-${open[0].id}`);
      if (!target) return;
      e.preventDefault();
      target.closest("details")?.setAttribute("open", "");
      target.scrollIntoView({ block: "center" });
      target.focus();
    } }, t("go_to_question")));
}

// The agreed definition, large: the end of a round on phones and the projector.
export function outcomeCard(outcome, heading = "h2") {
  if (!outcome?.adopted) return null;
  const counts = ["akkoord", "leven", "bezwaar"].filter((c) => outcome.counts?.[c]).map((c) => t(`count_${c}`, { n: outcome.counts[c] }));
  return el("section", { class: "card outcome", id: "outcome", "aria-labelledby": "outcome-h" },
    el(heading, { id: "outcome-h", text: t("agreed_definition", { term: outcome.term }) }),
    el("p", { class: "outcome-text", text: outcome.text }),
    counts.length ? el("p", { class: "outcome-counts", text: counts.join(" · ") }) : null,
    outcome.reservations?.length ? el("div", {}, el("p", { class: "muted", text: t("reservations") }),
      el("ul", { class: "remarks" }, outcome.reservations.map((r) => el("li", {}, el("strong", { text: `${t(`choice_${r.choice}`)}: ` }), r.text)))) : null);
}

// "Eerder in deze bijeenkomst": the meeting's closed rounds, as a short list.
export function renderHistory(section, list, history) {
  const done = history || [];
  section.hidden = done.length === 0;
  list.replaceChildren(...done.map((h) => el("li", {},
    el("strong", { text: h.term }), " — ",
    h.adopted ? el("span", {}, `${t("history_agreed")}: `, el("q", { text: h.text }),
      h.counts ? el("span", { class: "muted", text: ` (${["akkoord", "leven", "bezwaar"].filter((c) => h.counts[c]).map((c) => t(`count_${c}`, { n: h.counts[c] })).join(" · ")})` }) : null)
      : el("span", { class: "muted", text: t("history_not_agreed", { n: h.meanings }) }))));
}

// The participant's discussion panel (listening task, consent), shown above the meanings.
export function renderParticipantDiscussion(container, state, send) {
  const phase = state.round?.phase;
  const parts = [];
  if (phase === "discuss" || phase === "consent") parts.push(questionNotice(state));
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

// The projector: the draft as it is written, the proposal and votes during consent, the questions
// (when the facilitator shows them) and the listening summary during discussion.
export function renderProjectorDiscussion(container, state) {
  const d = state.discussion;
  const phase = state.round?.phase;
  if (!d || !["discuss", "consent"].includes(phase)) { container.replaceChildren(); return; }
  const draft = state.draft?.round_id === state.round.id ? state.draft.text.trim() : "";
  const showDraft = draft && !(phase === "consent" && d.proposal?.text === draft);
  const questions = state.show_questions ? (d.questions || []) : [];
  container.replaceChildren(...[
    showDraft ? el("section", { class: "card draft-live", id: "draft-live" }, el("h2", { text: t("draft_live") }), el("p", { class: "proposal-text", text: draft })) : null,
    phase === "consent" && d.proposal ? el("section", {}, el("h2", { text: t("proposal_number", { n: d.proposal.number }) }), proposalView(d.proposal), consentResults(d.consent)) : null,
    questions.length ? el("section", { class: "card", id: "projector-questions" }, el("h2", { text: t("questions") }),
      el("ul", { class: "qa" }, questions.map((q) => el("li", {}, el("p", {}, el("strong", { text: `${t("question")}: ` }), q.text),
        el("p", { class: q.answer ? "" : "muted" }, q.answer ? [el("strong", { text: `${t("answer")}: ` }), q.answer] : t("awaiting_answer")))))) : null,
    phase === "discuss" ? listeningSummary(d.listening, "h2") : null,
  ].filter(Boolean));
}
