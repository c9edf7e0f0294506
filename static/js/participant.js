// The participant's phone: write a private definition, see it saved, see all at the reveal.
import { connect, el, formatTime, keepTyping, phaseLabel, renderDefinitions, request, showTimer, t } from "./live.js";
import { renderAnalysis } from "./meanings.js";
import { decorateForParticipant, outcomeCard, renderHistory, renderParticipantDiscussion } from "./discussion.js";
import { renderSortingPhone } from "./sorting.js";

const page = document.body.dataset;
const code = page.meetingCode;
const pendingKey = `samenspraak:pending:${code}`;
const draftKey = (roundId) => `samenspraak:draft:${code}:${roundId}`;

const $ = (id) => document.getElementById(id);
const form = $("definition-form");
const fields = { text: $("text"), example: $("example"), observable: $("observable") };
let state = null;
let saved = null; // the definition as the server last confirmed it

function newClientId() {
  return (crypto.randomUUID && crypto.randomUUID()) || `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function formValues() {
  return { text: fields.text.value, example: fields.example.value, observable: fields.observable.value };
}

function setSaveStatus(kind, message) {
  const node = $("save-status");
  node.className = kind;
  node.textContent = message;
}

function refreshDirty() {
  const values = formValues();
  const counter = $("text-counter");
  counter.textContent = t("chars", { n: values.text.length, max: 1000 });
  counter.classList.toggle("over", values.text.length > 1000);
  if (!state?.round) return;
  localStorage.setItem(draftKey(state.round.id), JSON.stringify(values));
  const same = saved && saved.text === values.text.trim() && saved.example === values.example.trim() && saved.observable === values.observable.trim();
  if (same) setSaveStatus("saved", t("saved_at", { time: formatTime(new Date(saved.updated_at)) }));
  else if (values.text.trim()) setSaveStatus("unsaved", t("not_saved_yet"));
  else setSaveStatus("", "");
}

function fillForm(values) {
  for (const [name, field] of Object.entries(fields)) field.value = values?.[name] ?? "";
  // The optional fields stay folded unless they hold something.
  if (values?.example || values?.observable) $("extra-fields").open = true;
}

function render() {
  const round = state.round;
  const phase = round ? round.phase : "none";
  renderOutcome();
  $("waiting").hidden = !!round || !!state.outcome;
  $("round").hidden = !round;
  showTimer($("timer"), round?.timer);
  if (!round) return;
  $("term").textContent = round.term;
  $("phase").textContent = phaseLabel(round.phase);
  const collecting = phase === "collect";
  const locked = collecting && round.locked;
  form.hidden = !collecting;
  $("locked-note").hidden = !locked;
  for (const field of Object.values(fields)) field.readOnly = locked;
  $("save-button").disabled = locked;
  if (!collecting || locked) $("nudge-note").hidden = true;
  $("collect-help").hidden = !collecting;
  $("progress").hidden = !collecting;
  $("closed-note").hidden = phase !== "closed";
  const sorting = phase === "sort";
  $("sorting").hidden = !sorting;
  // While sorting the phone shows only the cards: one thing at a time, for one thumb.
  $("revealed").hidden = !round.revealed || sorting;
  if (round.revealed) {
    // A plenary's definitions come page by page inside the meanings, not as one list.
    $("all-definitions").hidden = !state.definitions;
    renderDefinitions($("definitions"), state.definitions);
    renderMeanings();
  }
  renderSorting();
  renderProgress(state.progress);
}

function renderSorting() {
  const mine = state.round?.phase === "sort" && state.my_sorting?.round_id === state.round.id ? state.my_sorting : null;
  renderSortingPhone($("sorting"), mine, (definitionId, verdict) => act("judge_meaning", { definition_id: definitionId, verdict }, $("sorting")));
}

function renderMeanings() {
  const analysis = state.analysis && state.analysis.round_id === state.round.id ? state.analysis : null;
  state.my_definition_ids = new Set(saved ? [saved.id] : []);
  const talking = ["discuss", "consent"].includes(state.round.phase);
  keepTyping($("analysis"), () => renderAnalysis($("analysis"), analysis, state.definitions || [], {
    mapUrl: `/m/${code}/rounds/${state.round.id}/map.svg`,
    decorate: talking ? (item, definition, number) => decorateForParticipant(item, definition, { state, send: act }, number) : null,
    mine: new Set([...state.my_definition_ids].map(String)),
    folded: true,
    fetchPage: (params) => request(socket, "get_definitions", { round_id: state.round.id, ...params }),
    // One's own definition in its meaning, signed as the reveal would sign it for the others.
    ownDefinitions: saved ? [{ ...saved, author: state.round.anonymity === "named" ? state.me?.name : null,
      partner: state.round.anonymity !== "hide_all" ? state.me?.partner : null }] : [],
  }));
  keepTyping($("discussion"), () => renderParticipantDiscussion($("discussion"), state, act));
}

// A refusal appears next to what caused it (`origin`: the buttons' group or the form), where the
// person is looking; only an action without an origin uses the message at the top of the page.
async function act(event, payload, origin = null) {
  const ack = await request(socket, event, payload);
  if (!origin) {
    const node = $("action-feedback");
    node.hidden = ack.ok;
    node.textContent = ack.ok ? "" : ack.error;
    return ack;
  }
  let note = origin.nextElementSibling?.classList.contains("inline-error") ? origin.nextElementSibling : null;
  if (ack.ok) { note?.remove(); return ack; }
  if (!note) {
    note = el("p", { class: "inline-error", role: "alert" });
    origin.after(note);
  }
  note.textContent = ack.error;
  return ack;
}

function renderOutcome() {
  const outcome = state.outcome && (!state.round || state.round.id === state.outcome.round_id) ? state.outcome : null;
  $("outcome-box").replaceChildren(...[outcomeCard(outcome)].filter(Boolean));
  renderHistory($("history"), $("history-list"), state.history);
}

function renderProgress(progress) {
  if (!progress || !state.round || progress.round_id !== state.round.id) return;
  $("progress").textContent = t("progress", { submitted: progress.submitted, total: progress.total });
}

function applyState(next) {
  const previousRound = state?.round?.id;
  state = next;
  saved = next.my_definition || null;
  if (next.round && next.round.id !== previousRound) {
    const draft = localStorage.getItem(draftKey(next.round.id));
    fillForm(draft ? JSON.parse(draft) : saved);
  }
  render();
  if (next.round) refreshDirty();
  resendPending();
}

async function send(payload) {
  localStorage.setItem(pendingKey, JSON.stringify(payload));
  $("save-button").disabled = true;
  setSaveStatus("unsaved", t("saving"));
  const ack = await request(socket, "submit_definition", payload);
  $("save-button").disabled = !!state.round?.locked;
  if (ack.ok) {
    localStorage.removeItem(pendingKey);
    $("nudge-note").hidden = true;
    saved = ack.definition;
    refreshDirty();
  } else if (ack.timeout) {
    setSaveStatus("unsaved", t("not_saved_retrying"));
  } else {
    localStorage.removeItem(pendingKey);
    setSaveStatus("unsaved", ack.error);
  }
}

// A submission whose acknowledgement never arrived is sent again with the same client_id,
// so the server stores it exactly once.
function resendPending() {
  const pending = localStorage.getItem(pendingKey);
  if (!pending || !socket.connected) return;
  const payload = JSON.parse(pending);
  if (state?.round?.id === payload.round_id && state.round.phase === "collect") send(payload);
  else localStorage.removeItem(pendingKey);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const values = formValues();
  if (!values.text.trim()) {
    setSaveStatus("unsaved", t("definition_required"));
    fields.text.focus();
    return;
  }
  send({ client_id: newClientId(), round_id: state.round.id, ...values });
});
for (const field of Object.values(fields)) field.addEventListener("input", refreshDirty);

const socket = connect({ code, view: "participant", onState: applyState });
socket.on("round", (message) => {
  const sameRound = state.round && state.round.id === message.round.id;
  if (message.round.phase === "closed" && sameRound && !message.round.restarted && state.round.phase !== "closed") {
    // Closed without adoption: it joins "Eerder in deze bijeenkomst" (an adoption replaces it with its outcome).
    state.history = [...(state.history || []).filter((h) => h.round_id !== message.round.id),
      { round_id: message.round.id, term: message.round.term, adopted: false, meanings: state.analysis?.meanings?.length || 0, text: null, counts: null, reservations: [] }];
  }
  state.round = message.round.phase === "closed" && !sameRound ? state.round : message.round;
  if (!sameRound && message.round.phase !== "closed") {
    // A new round: nothing of the previous one stays on the screen.
    saved = null; fillForm(null);
    state.discussion = null; state.my_discussion = null; state.my_sorting = null; state.analysis = null; state.outcome = null;
  }
  state.definitions = "definitions" in message ? message.definitions : (message.round.revealed ? state.definitions : null);
  if (!message.round.revealed) state.analysis = null;
  render();
  refreshDirty();
});
socket.on("discussion", (discussion) => {
  if (!state?.round || discussion.round_id !== state.round.id) return;
  state.discussion = discussion;
  renderMeanings();
});
socket.on("my_discussion", (mine) => {
  if (!state?.round || mine.round_id !== state.round.id) return;
  state.my_discussion = mine;
  renderMeanings();
});
socket.on("my_sorting", (mine) => {
  if (!state?.round || mine.round_id !== state.round.id) return;
  state.my_sorting = mine;
  renderSorting();
});
socket.on("analysis", ({ analysis }) => {
  if (!state?.round || analysis.round_id !== state.round.id) return;
  state.analysis = analysis;
  renderMeanings();
});
socket.on("adopted", (message) => {
  if (!message.outcome) return;
  state.outcome = message.outcome;
  state.history = [...(state.history || []).filter((h) => h.round_id !== message.round_id), message.outcome];
  render();
  $("outcome").scrollIntoView({ block: "start" });
});
socket.on("progress", (progress) => { if (state) { state.progress = progress; renderProgress(progress); } });
socket.on("definition_saved", ({ definition }) => {
  if (state?.round?.id !== definition.round_id) return;
  saved = definition;
  fillForm(definition);
  refreshDirty();
});
socket.on("nudge", ({ round_id: roundId, term }) => {
  if (state?.round?.id !== roundId || state.round.phase !== "collect" || saved) return;
  $("nudge-note").textContent = t("nudge", { term });
  $("nudge-note").hidden = false;
});
