// The projector: join code and QR large between rounds, progress while collecting, all
// definitions at the reveal.
import { connect, el, phaseLabel, renderDefinitions, showTimer, t } from "./live.js";
import { renderAnalysis } from "./meanings.js";
import { outcomeCard, renderProjectorDiscussion } from "./discussion.js";
import { sortingCount } from "./sorting.js";

const code = document.body.dataset.meetingCode;

const $ = (id) => document.getElementById(id);
let state = null;

// The lobby: the question, the address and code large, and which organisations have joined —
// counts only, never the names of people.
function renderLobby() {
  const round = state.round;
  const collecting = round?.phase === "collect";
  const question = $("lobby-question");
  question.hidden = !collecting;
  if (collecting) {
    const [before, after] = t("lobby_question").split("{term}");
    question.replaceChildren(before, el("em", { text: round.term }), after ?? "");
  }
  $("participant-count").textContent = t("participants_count", { n: state.participant_count });
  const perPartner = new Map();
  for (const person of state.participants || []) perPartner.set(person.partner, (perPartner.get(person.partner) || 0) + 1);
  $("organisations").replaceChildren(...[...perPartner].sort((a, b) => a[0].localeCompare(b[0])).map(([partner, n]) =>
    el("li", {}, el("span", { text: partner }), " ", el("span", { class: "muted", text: t("sorting_people", { n }) }))));
}

function render() {
  const round = state.round;
  const collecting = !round || round.phase === "collect";
  const outcome = state.outcome && (!round || round.id === state.outcome.round_id) ? state.outcome : null;
  $("outcome-box").replaceChildren(...[outcomeCard(outcome, "h2")].filter(Boolean));
  $("join").hidden = !collecting || Boolean(outcome);
  document.body.classList.toggle("collecting", round?.phase === "collect" && !outcome);
  $("round").hidden = !round || Boolean(outcome);
  if (!round) showTimer($("timer"), null);
  renderLobby();
  if (!round) return;
  $("term").textContent = round.term;
  $("term").hidden = round.phase === "collect"; // the lobby's question names it
  $("phase").textContent = phaseLabel(round.phase);
  $("progress").hidden = round.phase !== "collect";
  $("locked-badge").hidden = !(round.locked && round.phase === "collect");
  showTimer($("timer"), round.timer);
  $("revealed").hidden = !round.revealed;
  if (round.revealed) {
    const analysis = state.analysis && state.analysis.round_id === round.id ? state.analysis : null;
    // The moment of the reveal: the definitions appear one after another while the meanings are
    // sought, then settle into the meanings' columns.
    const definitionsList = $("definitions");
    if (!analysis && definitionsList.hidden) {
      renderDefinitions(definitionsList, state.definitions);
      [...definitionsList.children].forEach((card, i) => card.style.setProperty("--i", String(i)));
    }
    definitionsList.hidden = Boolean(analysis);
    // While the room sorts, the meanings themselves are what moves: no map, so they stay in view.
    const sorting = round.phase === "sort";
    document.body.classList.toggle("sorting", sorting);
    // A plenary: the meanings across the whole screen, no map of a thousand dots, no texts besides
    // each meaning's representative (the partners holding it are on its card).
    const plenary = Boolean(analysis?.definitions_paged || state.definitions_paged);
    document.body.classList.toggle("plenary", plenary);
    renderAnalysis($("analysis"), analysis, state.definitions || [],
      { mapUrl: sorting || plenary ? null : `/m/${code}/rounds/${round.id}/map.svg`, compact: true });
    $("analysis").dataset.version = analysis?.version ?? "";
  }
  renderProjectorDiscussion($("discussion"), state);
  renderSorting();
  renderProgress();
}

function renderSorting() {
  const sorting = state.round?.phase === "sort" && state.sorting?.round_id === state.round.id ? state.sorting : null;
  $("sorting-box").hidden = !sorting;
  $("sorting-count").textContent = sortingCount(sorting);
}

function renderProgress() {
  const progress = state.progress;
  if (!progress || !state.round || progress.round_id !== state.round.id) return;
  $("progress-count").textContent = `${progress.submitted} / ${progress.total}`;
}

const socket = connect({ code, view: "projector", onState: (next) => { state = next; render(); } });
socket.on("round", (message) => {
  if (message.round.id !== state.round?.id) {
    // A new round: nothing of the previous one (listening check, votes, draft, sorting) stays.
    if (message.round.phase === "closed") return;
    Object.assign(state, { discussion: null, sorting: null, analysis: null, draft: null, outcome: null, show_questions: false });
  }
  if (!message.round.revealed) state.analysis = null;
  state.round = message.round;
  state.definitions = message.definitions || null;
  state.definitions_paged = Boolean(message.definitions_paged);
  render();
});
socket.on("analysis", ({ analysis }) => { if (state.round && analysis.round_id === state.round.id) { state.analysis = analysis; render(); } });
socket.on("discussion", (discussion) => { if (state.round && discussion.round_id === state.round.id) { state.discussion = discussion; render(); } });
socket.on("progress", (progress) => { state.progress = progress; renderProgress(); });
socket.on("sorting", (sorting) => { state.sorting = sorting; renderSorting(); });
socket.on("participants", ({ participants, count }) => {
  state.participant_count = count;
  if (participants) state.participants = participants;
  renderLobby();
});
socket.on("adopted", (message) => { if (message.outcome) { state.outcome = message.outcome; render(); } });
socket.on("draft", (draft) => { if (state.round && draft.round_id === state.round.id) { state.draft = draft; renderProjectorDiscussion($("discussion"), state); } });
socket.on("projector_questions", ({ round_id: roundId, shown }) => {
  if (state.round && roundId === state.round.id) { state.show_questions = shown; renderProjectorDiscussion($("discussion"), state); }
});
