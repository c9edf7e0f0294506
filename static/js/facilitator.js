// The facilitator's control screen: start rounds, watch progress without content, reveal,
// reopen and close.
import { connect, el, phaseLabel, renderDefinitions, request, t } from "./live.js";
import { renderAnalysis } from "./meanings.js";

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
  const explored = new Set((state.rounds || []).map((r) => r.term_id));
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

function renderRound() {
  const round = state.round;
  $("no-round").hidden = !!round;
  $("round-panel").hidden = !round;
  if (!round) return;
  $("round-term").textContent = round.term;
  $("round-phase").textContent = phaseLabel(round.phase);
  $("reveal-controls").hidden = round.phase !== "collect";
  $("reopen-button").hidden = round.phase !== "reveal";
  $("close-button").hidden = round.phase === "closed";
  $("progress-box").hidden = round.phase !== "collect";
  $("revealed").hidden = !round.revealed;
  if (round.revealed) {
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
  $("participants").replaceChildren(...people.map((p) => el("li", { text: `${p.name} · ${p.partner}` })));
}

function render() {
  renderTerms();
  renderRound();
  renderParticipants();
}

const socket = connect({ code, view: "facilitator", onState: (next) => { state = next; render(); } });
socket.on("round", (message) => {
  if (!message.round.revealed) state.analysis = null;
  state.round = message.round;
  state.definitions = message.definitions || null;
  const known = (state.rounds || []).findIndex((r) => r.id === message.round.id);
  if (known >= 0) state.rounds[known] = message.round; else (state.rounds ||= []).push(message.round);
  render();
});
socket.on("progress", (progress) => { state.progress = progress; renderProgress(); });
socket.on("analysis", ({ analysis }) => {
  if (!state.round || analysis.round_id !== state.round.id) return;
  state.analysis = analysis;
  renderMeanings();
});
socket.on("participants", ({ participants }) => { if (participants) { state.participants = participants; renderParticipants(); } });
socket.on("terms", ({ terms }) => { state.meeting.terms = terms; renderTerms(); });

$("reveal-button").addEventListener("click", () =>
  act("reveal", { round_id: state.round.id, anonymity: $("anonymity").value }));
$("reopen-button").addEventListener("click", () => act("reopen", { round_id: state.round.id }));
$("close-button").addEventListener("click", () => act("close_round", { round_id: state.round.id }));
$("new-term-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const ack = await act("start_round", { term: $("new-term").value });
  if (ack.ok) $("new-term").value = "";
});
