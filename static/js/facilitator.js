// The facilitator's control screen: start rounds, watch progress without content, remind, lock,
// time, reveal, reopen, restart and close; phase controls also by keyboard shortcut.
import { connect, el, enableShortcuts, formatTime, phaseLabel, renderDefinitions, request, secondsLeft, showTimer, t } from "./live.js";
import { meaningNumber, renderAnalysis } from "./meanings.js";
import { consentResults, listeningSummary, renderHistory } from "./discussion.js";
import { sortingCount } from "./sorting.js";

const code = document.body.dataset.meetingCode;

const $ = (id) => document.getElementById(id);
let state = null;

function feedback(ack) {
  const node = $("action-feedback");
  node.textContent = ack.ok ? "" : ack.error;
  node.hidden = ack.ok;
}

async function act(event, payload) {
  const ack = await request(socket, event, payload);
  feedback(ack);
  return ack;
}

function renderTerms() {
  const open = state.round && state.round.phase !== "closed";
  // "Al verkend": a term with a round that ended (not the one running now, not a restarted one).
  const explored = new Set((state.rounds || []).filter((r) => r.phase === "closed" && !r.restarted && r.id !== state.round?.id).map((r) => r.term_id));
  $("terms").replaceChildren(...state.meeting.terms.map((term) =>
    el("li", {},
      el("span", {}, term.text, explored.has(term.id) ? el("span", { class: "muted", text: ` (${t("explored")})` }) : null),
      el("button", {
        type: "button", class: "secondary", disabled: open,
        "aria-label": t("start_round_for", { term: term.text }),
        onclick: () => act("start_round", { term_id: term.id }),
      }, t("start_round")),
    )));
  $("new-term-button").disabled = open;
}

let foldedForRound = null;

function renderRound() {
  const round = state.round;
  $("no-round").hidden = !!round;
  $("round-panel").hidden = !round;
  // Once a round runs the join card folds (once per round: the facilitator may open it again).
  if (round && round.phase !== "closed" && foldedForRound !== round.id) {
    foldedForRound = round.id;
    $("join-card").open = false;
  }
  $("join-summary").textContent = `${t("code_is", { code })} · ${t("participants_count", { n: (state.participants || []).length })}`;
  renderHistory($("history"), $("history-list"), state.history);
  if (!round) return;
  $("round-term").textContent = round.term;
  $("round-phase").textContent = phaseLabel(round.phase);
  $("reveal-controls").hidden = round.phase !== "collect";
  if (round.phase === "closed") $("close-dialog").open && $("close-dialog").close();
  $("reopen-button").hidden = round.phase !== "reveal";
  $("close-button").hidden = round.phase === "closed";
  $("restart-button").hidden = round.phase === "closed";
  $("progress-box").hidden = round.phase !== "collect";
  $("locked-badge").hidden = !(round.locked && round.phase === "collect");
  $("lock-button").textContent = round.locked ? t("unlock_collecting") : t("lock_collecting");
  showTimer($("timer"), round.timer);
  $("timer-more").hidden = $("timer-stop").hidden = !round.timer;
  $("revealed").hidden = !round.revealed;
  if (round.revealed) {
    // A plenary's definitions come page by page inside the meanings, not as one list.
    $("all-definitions").hidden = !state.definitions;
    renderDefinitions($("definitions"), state.definitions);
    renderMeanings();
  }
  renderProgress();
}

function renderMeanings() {
  const analysis = state.analysis && state.analysis.round_id === state.round.id ? state.analysis : null;
  renderAnalysis($("analysis"), analysis, state.definitions || [], {
    editable: state.round.phase !== "closed",
    mapUrl: `/m/${code}/rounds/${state.round.id}/map.svg`,
    onCorrect: (correction) => act("correct_meanings", { round_id: state.round.id, ...correction }),
    fetchPage: (params) => request(socket, "get_definitions", { round_id: state.round.id, ...params }),
  });
}

function renderProgress() {
  const progress = state.progress;
  if (!progress || !state.round || progress.round_id !== state.round.id) return;
  $("progress-text").textContent = t("progress", { submitted: progress.submitted, total: progress.total });
  $("progress-bar").max = Math.max(progress.total, 1);
  $("progress-bar").value = progress.submitted;
  const waiting = progress.waiting || [];
  $("waiting-title").hidden = waiting.length === 0;
  $("waiting").replaceChildren(...waiting.map((p) => el("li", { text: `${p.name} · ${p.partner}` })));
}

function renderParticipants() {
  const people = state.participants || [];
  $("participant-count").textContent = t("participants_count", { n: people.length });
  $("join-summary").textContent = `${t("code_is", { code })} · ${t("participants_count", { n: people.length })}`;
  $("participants").replaceChildren(...people.map((p) => el("li", { text: `${p.name} · ${p.partner}` })));
}

function supportTable() {
  const support = state.discussion?.support;
  const meanings = state.analysis?.meanings || [];
  if (!support || !meanings.length) return null;
  const kinds = ["herken", "eens", "oneens", "pas"];
  return el("table", { class: "partner-table", tabindex: "0" },
    el("caption", { text: t("support_per_meaning") }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("meaning") }), kinds.map((k) => el("th", { scope: "col", text: t(`reaction_${k}`) })))),
    el("tbody", {}, meanings.map((m, i) => el("tr", {},
      el("th", { scope: "row", text: `${meaningNumber(m, i)}. ${m.label}` }),
      kinds.map((k) => el("td", { text: String(support.by_meaning?.[m.id]?.[k] || 0) }))))),
    el("tfoot", {}, Object.entries(support.by_partner || {}).map(([partner, byMeaning]) => el("tr", {},
      el("th", { scope: "row", text: partner }),
      kinds.map((k) => el("td", { text: String(Object.values(byMeaning).reduce((n, c) => n + (c[k] || 0), 0)) }))))));
}

function renderDiscussion() {
  const phase = state.round?.phase;
  const active = ["reveal", "sort", "discuss", "consent"].includes(phase);
  $("discussion-panel").hidden = !active;
  if (!active) return;
  renderSorting();
  $("discuss-button").hidden = !["reveal", "sort"].includes(phase);
  $("check-button").hidden = phase !== "discuss";
  $("back-button").hidden = phase !== "consent";
  $("draft-form").hidden = phase === "reveal" || phase === "sort";
  $("propose-button").textContent = phase === "consent" ? t("amend_and_ask_again") : t("ask_for_consent");
  $("adopt-form").hidden = phase !== "consent";
  $("projector-questions-toggle").hidden = !["discuss", "consent"].includes(phase);
  const d = state.discussion || {};
  // One obvious next step per phase: discuss → ask for consent; consent → adopt, or (objection) amend.
  const blocked = phase === "consent" && !!d.consent?.blocked;
  $("propose-button").className = phase === "discuss" || blocked ? "" : "secondary";
  $("check-button").className = "secondary";
  $("blocked-note").hidden = !blocked;
  $("adopt-actions").hidden = blocked;
  const questions = d.questions || [];
  $("discussion-live").replaceChildren(...[
    supportTable(),
    listeningSummary(d.listening, "h4"),
    questions.length ? el("div", { class: "card" }, el("h4", { text: t("questions") }), el("ul", {}, questions.map((q) =>
      el("li", {}, q.text, q.answer ? el("span", { class: "muted", text: ` — ${q.answer}` }) : null)))) : null,
    phase === "consent" && d.proposal ? el("div", { class: "card" }, el("h4", { text: t("proposal_number", { n: d.proposal.number }) }),
      el("p", { class: "proposal-text", text: d.proposal.text }), consentResults(d.consent)) : null,
  ].filter(Boolean));
  $("override-box").hidden = !blocked;
  if (phase === "consent" && d.proposal && !$("draft").value) $("draft").value = d.proposal.text;
  renderAdoptChoices();
}

// After the reveal sorting is the main next step ("overslaan" goes straight to the discussion);
// once the room has sorted, the discussion is.
function renderSorting() {
  const phase = state.round?.phase;
  const sorting = state.sorting?.round_id === state.round?.id ? state.sorting : null;
  const sorted = !!sorting?.started;
  $("sorting-panel").hidden = !["reveal", "sort"].includes(phase);
  $("sorting-help").hidden = phase !== "reveal" || sorted;
  $("sort-button").hidden = phase !== "reveal";
  $("sort-button").textContent = sorted ? t("sorting_resume") : t("sorting_start");
  $("sort-button").className = sorted ? "secondary" : "";
  $("end-sort-button").hidden = phase !== "sort";
  $("discuss-button").className = phase === "sort" || (phase === "reveal" && !sorted) ? "secondary" : "";
  $("discuss-button").textContent = phase === "reveal" && !sorted ? t("skip_sorting") : t("start_discussion");
  $("sorting-count").textContent = sorted ? sortingCount(sorting) : "";
  $("sorting-corrected").hidden = !(phase === "sort" && (sorting?.corrected || state.analysis?.corrected));
}

let lastCheck = { coverage: [], conditions: [] };

function renderAdoptChoices() {
  const meanings = state.analysis?.meanings || [];
  const covered = new Set(lastCheck.coverage.filter((c) => c.covered).map((c) => c.meaning_id));
  const known = new Set([...$("adopt-meanings").querySelectorAll("input")].map((i) => i.value));
  if (meanings.length && meanings.some((m) => !known.has(m.id))) {
    $("adopt-meanings").replaceChildren(...meanings.map((m, i) => el("label", { class: "check" },
      el("input", { type: "checkbox", value: m.id, checked: lastCheck.coverage.length > 0 && !covered.has(m.id) }), ` ${meaningNumber(m, i)}. ${m.label}`)));
  }
  const conditionIds = new Set([...$("adopt-conditions").querySelectorAll("input")].map((i) => i.value));
  if (lastCheck.conditions.some((c) => !conditionIds.has(c.id))) {
    $("adopt-conditions").replaceChildren(...lastCheck.conditions.map((c) => el("label", { class: "check" },
      el("input", { type: "checkbox", value: c.id, checked: true }), ` ${c.label}`)));
  }
  if (!lastCheck.conditions.length && !$("adopt-conditions").childElementCount) {
    $("adopt-conditions").replaceChildren(el("p", { class: "muted", text: t("conditions_after_draft") }));
  }
}

function renderCoverage() {
  if (!lastCheck.coverage.length) { $("coverage").replaceChildren(); return; }
  $("coverage").replaceChildren(...[
    el("p", {}, el("strong", { text: t("draft_covers") })),
    el("ul", { class: "coverage" }, lastCheck.coverage.map((c) => el("li", { class: c.covered ? "saved" : "unsaved" },
      `${c.covered ? t("covered") : t("left_out")}: ${c.label}`,
      c.words_used.length ? el("span", { class: "muted", text: ` (${c.words_used.join(", ")})` }) : null))),
    lastCheck.conditions.length ? el("p", { class: "muted", text: `${t("suggested_conditions")}: ${lastCheck.conditions.map((c) => c.label).join("; ")}` }) : null,
  ].filter(Boolean));
}

let draftTimer = null;
let checking = 0;
function checkDraftSoon() {
  clearTimeout(draftTimer);
  draftTimer = setTimeout(async () => {
    const text = $("draft").value.trim();
    if (!text || !state.round) return;
    // Checking takes a few seconds: say so, and keep the last result visible meanwhile.
    const mine = ++checking;
    $("coverage-busy").hidden = false;
    $("coverage").classList.add("stale");
    const ack = await request(socket, "check_draft", { round_id: state.round.id, text }, 20000);
    if (mine !== checking) return; // a newer check is under way
    $("coverage-busy").hidden = true;
    $("coverage").classList.remove("stale");
    if (ack.ok) { lastCheck = ack; renderCoverage(); renderAdoptChoices(); }
  }, 600);
}

// The projector shows the draft while it is written (debounced; not stored).
let shareTimer = null;
function shareDraftSoon() {
  clearTimeout(shareTimer);
  shareTimer = setTimeout(() => {
    if (!state.round || !["discuss", "consent"].includes(state.round.phase)) return;
    request(socket, "share_draft", { round_id: state.round.id, text: $("draft").value });
  }, 400);
}

function render() {
  renderTerms();
  renderRound();
  renderParticipants();
  renderDiscussion();
}

const socket = connect({ code, view: "facilitator", onState: (next) => { state = next; render(); } });
socket.on("round", (message) => {
  if (message.round.id !== state.round?.id) {
    $("nudge-note").textContent = "";
    if (message.round.phase !== "closed") {
      // A new round starts clean: no discussion, draft, coverage or choices of the previous one.
      state.discussion = null; state.sorting = null; state.analysis = null;
      lastCheck = { coverage: [], conditions: [] };
      for (const id of ["draft", "scope", "examples", "override"]) $(id).value = "";
      $("projector-questions").checked = false;
      $("adopt-meanings").replaceChildren(); $("adopt-conditions").replaceChildren();
      renderCoverage();
    }
  }
  if (message.round.phase === "closed" && state.round?.id === message.round.id && state.round.phase !== "closed" && !message.round.restarted) {
    state.history = [...(state.history || []).filter((h) => h.round_id !== message.round.id),
      { round_id: message.round.id, term: message.round.term, adopted: false, meanings: state.analysis?.meanings?.length || 0, text: null, counts: null, reservations: [] }];
  }
  if (!message.round.revealed) state.analysis = null;
  state.round = message.round;
  state.definitions = message.definitions || null;
  const known = (state.rounds || []).findIndex((r) => r.id === message.round.id);
  if (known >= 0) state.rounds[known] = message.round; else (state.rounds ||= []).push(message.round);
  render();
});
socket.on("progress", (progress) => { state.progress = progress; renderProgress(); });
socket.on("sorting", (sorting) => { state.sorting = sorting; renderSorting(); });
socket.on("discussion", (discussion) => {
  if (!state.round || discussion.round_id !== state.round.id) return;
  state.discussion = discussion;
  renderDiscussion();
});
socket.on("adopted", (message) => {
  if (message.outcome) {
    state.history = [...(state.history || []).filter((h) => h.round_id !== message.round_id), message.outcome];
    renderHistory($("history"), $("history-list"), state.history);
  }
  const link = el("a", { href: `/partnerships/${document.body.dataset.partnershipId}/glossary/${message.entry_id}` }, t("adopted_link", { term: message.term }));
  $("action-feedback").hidden = true;
  $("adopted-note").replaceChildren(el("p", { class: "saved" }, t("adopted", { term: message.term }), " ", link));
  $("adopted-note").hidden = false;
});
socket.on("analysis", ({ analysis }) => {
  if (!state.round || analysis.round_id !== state.round.id) return;
  state.analysis = analysis;
  renderMeanings();
  if (state.round.phase === "sort") renderSorting();
});
socket.on("participants", ({ participants }) => { if (participants) { state.participants = participants; renderParticipants(); } });
socket.on("terms", ({ terms }) => { state.meeting.terms = terms; renderTerms(); });

$("discuss-button").addEventListener("click", () => act("start_discussion", { round_id: state.round.id }));
$("sort-button").addEventListener("click", () => act("start_sorting", { round_id: state.round.id }));
$("end-sort-button").addEventListener("click", () => act("end_sorting", { round_id: state.round.id }));
$("check-button").addEventListener("click", () => act("start_listening_check", { round_id: state.round.id }));
$("back-button").addEventListener("click", () => act("start_discussion", { round_id: state.round.id }));
$("assemble-button").addEventListener("click", async () => {
  const ack = await act("assemble_draft", { round_id: state.round.id });
  if (ack.ok) {
    $("draft").value = ack.text;
    $("draft").focus();
    const gap = ack.text.indexOf("…");
    if (gap >= 0) $("draft").setSelectionRange(gap, gap + 1);
    checkDraftSoon();
    shareDraftSoon();
  }
});
$("draft").addEventListener("input", () => { checkDraftSoon(); shareDraftSoon(); });
$("projector-questions").addEventListener("change", () =>
  act("show_questions", { round_id: state.round.id, shown: $("projector-questions").checked }));
$("draft-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const examples = $("examples").value.split("\n").map((x) => x.trim()).filter(Boolean);
  act("propose", { round_id: state.round.id, text: $("draft").value, scope: $("scope").value, examples });
});
$("adopt-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const checked = (id) => [...$(id).querySelectorAll("input:checked")].map((i) => i.value);
  act("adopt", {
    round_id: state.round.id,
    not_to_confuse_with: checked("adopt-meanings"),
    condition_ids: checked("adopt-conditions"),
    override_reason: $("override-box").hidden ? null : $("override").value,
  });
});
$("reveal-button").addEventListener("click", () =>
  act("reveal", { round_id: state.round.id, anonymity: $("anonymity").value }));
$("reopen-button").addEventListener("click", () => act("reopen", { round_id: state.round.id }));
$("restart-button").addEventListener("click", () => {
  if (window.confirm(t("restart_confirm", { term: state.round.term }))) act("restart_round", { round_id: state.round.id });
});
$("lock-button").addEventListener("click", () => act("lock_round", { round_id: state.round.id, locked: !state.round.locked }));
$("nudge-button").addEventListener("click", async () => {
  const ack = await act("nudge", { round_id: state.round.id });
  if (ack.ok) $("nudge-note").textContent = t("nudged", { n: ack.nudged.length, time: formatTime() });
});
$("timer-start").addEventListener("click", () => {
  const minutes = Math.round(Number($("timer-minutes").value));
  act("set_timer", { round_id: state.round.id, seconds: Number.isFinite(minutes) ? minutes * 60 : -1 });
});
$("timer-more").addEventListener("click", () => act("set_timer", { round_id: state.round.id, seconds: secondsLeft($("timer")) + 60 }));
$("timer-stop").addEventListener("click", () => act("set_timer", { round_id: state.round.id, seconds: 0 }));
enableShortcuts($("shortcut-list"));
// Closing is final and sits next to "Alles onthullen": ask first (a modal dialog: Escape or
// "Annuleren" keeps the round, focus returns to the button).
$("close-button").addEventListener("click", () => {
  $("close-dialog-text").textContent = t("close_confirm", { term: state.round.term });
  $("close-dialog").showModal();
});
$("close-dialog").addEventListener("close", () => {
  if ($("close-dialog").returnValue === "close" && state.round) act("close_round", { round_id: state.round.id });
  $("close-dialog").returnValue = "";
  $("close-button").focus();
});
$("new-term-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const ack = await act("start_round", { term: $("new-term").value });
  if (ack.ok) $("new-term").value = "";
});
