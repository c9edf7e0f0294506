// Shared by the live meeting pages: the socket connection, its visible status, safe DOM building
// and the translated strings that the server put into the page.

export const strings = JSON.parse(document.getElementById("strings").textContent);

export function t(key, params = {}) {
  // A counted text comes in both forms (ngettext on the server): the count `n` picks one.
  // (Older strings give the form for one as a separate "<key>_one".)
  if (params.n === 1 && strings[`${key}_one`]) key = `${key}_one`;
  let text = strings[key] ?? key;
  if (typeof text === "object") text = params.n === 1 ? text.one : text.other;
  for (const [name, value] of Object.entries(params)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

// Builds elements with textContent only: user text never becomes markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function phaseLabel(phase) {
  return t(`phase_${phase}`);
}

// Connects to /meeting and keeps the connection status and the "lost connection" banner honest.
export function connect({ code, view, onState }) {
  const socket = io("/meeting", {
    auth: { meeting: code, view },
    transports: ["websocket", "polling"],
    reconnectionDelayMax: 4000,
  });
  const status = document.getElementById("connection-status");
  const banner = document.getElementById("connection-banner");
  const show = (online, message) => {
    if (status) {
      status.classList.toggle("online", online);
      status.classList.toggle("offline", !online);
      status.textContent = online ? t("connected") : t("disconnected");
    }
    if (banner) {
      banner.hidden = online;
      if (message) banner.textContent = message;
    }
  };
  // The snapshot is asked for on every (re)connect; later changes arrive as events.
  socket.on("connect", () => {
    show(true);
    socket.emit("get_state", {}, (ack) => {
      if (ack && ack.ok) onState(ack.state);
    });
  });
  socket.on("disconnect", () => show(false, t("connection_lost")));
  socket.on("connect_error", (error) => {
    const message = error?.data?.message || t("connection_lost");
    show(false, message);
  });
  socket.on("state", onState);
  return socket;
}

// An acknowledgement may carry a warning: it worked, but (say) other server processes could not
// be told. The banner shows it until an action goes through without one.
function showWarning(socket, ack) {
  const banner = document.getElementById("connection-banner");
  if (!banner || !ack.ok) return;
  if (ack.warning) {
    banner.textContent = ack.warning;
    banner.hidden = false;
    banner.dataset.warning = "yes";
  } else if (banner.dataset.warning && socket.connected) {
    banner.hidden = true;
    delete banner.dataset.warning;
  }
}

// Emits with an acknowledgement timeout; resolves to the ack, or {ok:false, timeout:true}.
export function request(socket, event, payload, timeoutMs = 8000) {
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (err, ack) => {
      if (err) resolve({ ok: false, timeout: true, error: t("no_answer") });
      else {
        const answer = ack ?? { ok: false, error: t("no_answer") };
        showWarning(socket, answer);
        resolve(answer);
      }
    });
  });
}

export function definitionCard(definition) {
  const who = [definition.author, definition.partner].filter(Boolean).join(" · ") || t("anonymous");
  return el("li", { class: "definition" },
    el("p", { text: definition.text }),
    definition.example ? el("p", { class: "extra" }, el("strong", { text: `${t("example")}: ` }), definition.example) : null,
    definition.observable ? el("p", { class: "extra" }, el("strong", { text: `${t("observable")}: ` }), definition.observable) : null,
    el("p", { class: "who", text: who }),
  );
}

export function renderDefinitions(container, definitions) {
  container.replaceChildren(...(definitions || []).map(definitionCard));
}

export function formatTime(date = new Date()) {
  return date.toLocaleTimeString(document.documentElement.lang || "nl", { hour: "2-digit", minute: "2-digit" });
}

// Re-renders a region without losing what the person is typing in it: values, focus and caret
// of inputs with an id survive (other people's votes and reactions re-render these regions).
export function keepTyping(container, render) {
  const typed = new Map();
  for (const input of container.querySelectorAll("input[id], textarea[id]")) {
    if (input.type !== "checkbox") typed.set(input.id, input.value);
  }
  const focused = container.contains(document.activeElement) ? document.activeElement : null;
  const focusId = focused?.id;
  const caret = focused && "selectionStart" in focused ? focused.selectionStart : null;
  render();
  for (const [id, value] of typed) {
    const input = document.getElementById(id);
    if (input && value) input.value = value;
  }
  if (focusId) {
    const again = document.getElementById(focusId);
    if (again) {
      again.focus();
      if (caret !== null && "setSelectionRange" in again) try { again.setSelectionRange(caret, caret); } catch { /* not a text field */ }
    }
  }
}

function clock(seconds) {
  const whole = Math.ceil(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

// Shows the phase's countdown in `node` (or hides it). The server sends what is left, so a
// screen's own clock, however wrong, does not matter; "time's up" is announced once, politely.
export function showTimer(node, timer) {
  clearInterval(node.countdown);
  node.hidden = !timer;
  if (!timer) return;
  const deadline = performance.now() + timer.remaining * 1000;
  const tick = () => {
    const left = (deadline - performance.now()) / 1000;
    const over = left <= 0;
    node.classList.toggle("over", over);
    node.setAttribute("aria-live", over ? "polite" : "off");
    node.textContent = over ? t("time_up") : t("time_left", { time: clock(left) });
    if (over) clearInterval(node.countdown);
    return left;
  };
  tick();
  node.countdown = setInterval(tick, 250);
}

// What is left of a countdown on screen, in whole seconds (0 when none or over).
export function secondsLeft(node) {
  const match = /(\d+):(\d\d)/.exec(node.hidden ? "" : node.textContent);
  return match ? Number(match[1]) * 60 + Number(match[2]) : 0;
}

// Keyboard shortcuts for buttons marked data-shortcut="<strings key>": the key is translated with
// the label, works only outside text fields and only for a button that is visible and enabled.
// "?" opens the list of shortcuts.
export function enableShortcuts(list) {
  const buttons = [...document.querySelectorAll("button[data-shortcut]")];
  for (const button of buttons) {
    const key = t(button.dataset.shortcut);
    button.setAttribute("aria-keyshortcuts", key);
    button.title = t("shortcut_hint", { key: key.toUpperCase() });
  }
  const usable = (button) => !button.disabled && button.offsetParent !== null;
  const renderList = () => list.replaceChildren(...buttons.map((button) =>
    el("li", {}, el("kbd", { text: t(button.dataset.shortcut).toUpperCase() }), " ", button.textContent.trim())));
  renderList();
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    if (document.querySelector("dialog[open]")) return; // a question is open: keys belong to it
    if (event.key === "?") {
      const details = list.closest("details");
      renderList();
      if (details) { details.open = !details.open; details.querySelector("summary").focus(); }
      event.preventDefault();
      return;
    }
    const button = buttons.find((b) => t(b.dataset.shortcut).toLowerCase() === event.key.toLowerCase() && usable(b));
    if (button) { event.preventDefault(); button.click(); }
  });
}
