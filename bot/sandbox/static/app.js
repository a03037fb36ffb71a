// The sandbox page: a small Slack workspace drawn from /ui/state, acting as one person.
"use strict";

const ui = { me: null, at: "CMARKETING", thread: null, state: null, version: null, kit: null, modalKey: null, skew: 0 };
const $ = (id) => document.getElementById(id);
const { h } = BlockKit.create({ blocks: [], elements: [], texts: [], emoji: {} });

async function post(what, data) {
  const reply = await fetch(`/ui/${what}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: ui.me, ...data }),
  });
  return reply.json();
}

const names = () => ({ ...ui.state.names });
const channelNames = () => Object.fromEntries(ui.state.channels.map((c) => [c.id, c.name]));
const ctx = (extra = {}) => ({ names: names(), channels: channelNames(), now: sandboxNow(), tz: ui.state.tz, ...extra });
const sandboxNow = () => new Date(Date.now() + ui.skew).toISOString();
// Times as the people in the workspace see them: in their Slack timezone.
const when = (iso, opts) => new Date(iso).toLocaleString(undefined, { timeZone: ui.state.tz, ...opts });
const SHORT = { weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit" };
const tsDate = (ts) => new Date(parseFloat(ts) * 1000);
const isDm = (id) => id.startsWith("D");
// "dm" and "home" are the current person's own conversation with the app and App Home.
const title = (id) => (id === "home" ? "App Home" : id === "dm" || isDm(id) ? "Liaison Bridge" : "#" + channelNames()[id]);
const channelId = (id) => (id === "dm" ? ui.state.dm : id);

function conversations() {
  const nav = $("conversations");
  const item = (id, label, extra) => h("li", {}, h("button", {
    type: "button", class: "conv", "aria-current": ui.at === id ? "page" : undefined, onclick: () => go(id),
  }, label, extra));
  const unread = () => (ui.at !== "dm" && ui.state.messages.some((m) => m.channel === ui.state.dm)
    ? h("span", { class: "badge", "aria-hidden": "true" }, "•") : null);
  nav.replaceChildren(
    h("h2", {}, "Channels"),
    h("ul", {}, ui.state.channels.map((c) => item(c.id, "# " + c.name))),
    h("h2", {}, "Direct messages"),
    h("ul", {}, item("dm", "Liaison Bridge", unread())),
    h("h2", {}, "Apps"),
    h("ul", {}, item("home", "App Home")));
}

function messageView(m, inThread) {
  const person = m.user === "UBOT" ? "Liaison Bridge" : ui.state.names[m.user] || m.user;
  const replies = ui.state.messages.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts && !r.ephemeral);
  const body = m.blocks.length
    ? ui.kit.renderBlocks(m.blocks, ctx({ onAction: (action) => click(m, action) }))
    : ui.kit.mrkdwn(m.text, ctx());
  return h("article", { class: `msg${m.ephemeral ? " ephemeral" : ""}`, "data-ts": m.ts, "aria-label": `Message from ${person}` },
    h("div", { class: "avatar", "aria-hidden": "true" }, person.slice(0, 1)),
    h("div", { class: "msg-main" },
      h("div", { class: "msg-head" },
        h("strong", {}, person), m.user === "UBOT" ? h("span", { class: "app-tag" }, "APP") : null,
        h("time", { datetime: tsDate(m.ts).toISOString() }, when(tsDate(m.ts), { weekday: "short", hour: "numeric", minute: "2-digit" })),
        m.edited ? h("span", { class: "edited" }, "(edited)") : null),
      m.ephemeral ? h("div", { class: "only-you" }, "Only visible to you") : null,
      !inThread && m.thread_ts && m.reply_broadcast ? h("div", { class: "broadcast" }, "replied to a thread") : null,
      body,
      !inThread && replies.length ? h("button", { type: "button", class: "thread-link", onclick: () => openThread(m.channel, m.ts) },
        `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`) : null));
}

function channelView() {
  const main = $("messages");
  if (ui.at === "home") {
    const home = ui.state.home;
    main.replaceChildren(home ? ui.kit.renderBlocks(home.blocks || [], ctx({ onAction: (action) => post("homeclick", { action }) }))
      : h("div", { class: "empty" }, h("p", {}, "Liaison Bridge hasn't published an App Home."),
        h("p", {}, "Everything happens in the team channels: try /liaison help there.")));
    return;
  }
  const shown = ui.state.messages.filter((m) => m.channel === channelId(ui.at) && (!m.thread_ts || m.thread_ts === m.ts || m.reply_broadcast));
  const nearBottom = main.scrollHeight - main.scrollTop - main.clientHeight < 80;
  main.replaceChildren(...(shown.length ? shown.map((m) => messageView(m, false)) : [h("div", { class: "empty" },
    h("p", {}, `This is the very beginning of ${title(ui.at)}.`),
    h("p", {}, "Start with Alex Chen (admin): /liaison setup marketing in #marketing and /liaison setup liaison in #physician-liaisons; then everyone runs /liaison join."))]));
  if (nearBottom || !ui.rendered) main.scrollTop = main.scrollHeight;
  ui.rendered = true;
}

function threadView() {
  const pane = $("thread");
  pane.hidden = !ui.thread;
  if (!ui.thread) return;
  const [channel, ts] = ui.thread;
  const shown = ui.state.messages.filter((m) => m.channel === channel && (m.ts === ts || m.thread_ts === ts));
  $("thread-title").textContent = `Thread in ${title(channel)}`;
  $("thread-messages").replaceChildren(...shown.map((m) => messageView(m, true)));
  $("thread-input").setAttribute("aria-label", `Reply in thread in ${title(channel)}`);
  $("thread-input").placeholder = "Reply…";
}

function modalView() {
  const dialog = $("modal");
  const modal = ui.state.modal;
  const key = modal ? JSON.stringify(modal) : null;
  if (key === ui.modalKey) return;
  ui.modalKey = key;
  if (!modal) { if (dialog.open) dialog.close(); return; }
  $("modal-title").textContent = ui.kit.plain(modal.title);
  $("modal-body").replaceChildren(ui.kit.renderBlocks(modal.blocks || [], ctx({ inModal: true })));
  $("modal-close").textContent = modal.close ? ui.kit.plain(modal.close) : "Close";
  $("modal-submit").hidden = !modal.submit;
  $("modal-submit").textContent = modal.submit ? ui.kit.plain(modal.submit) : "";
  $("modal-problem").textContent = "";
  if (!dialog.open) dialog.showModal();
}

// Slack's view_submission state: block id -> action id -> the element's typed value.
function values() {
  const out = {};
  for (const block of $("modal-body").querySelectorAll(".bk-input")) {
    const field = block.querySelector("[data-type]");
    const type = field.dataset.type;
    const option = (o) => ({ text: { type: "plain_text", text: o.textContent }, value: o.value });
    const chosen = [...(field.selectedOptions || [])].filter((o) => o.value);
    const boxes = [...field.querySelectorAll?.("input:checked") || []].map((i) => ({ value: i.value, text: { type: "plain_text", text: i.labels[0].textContent } }));
    const value = {
      plain_text_input: () => ({ value: field.value || null }),
      number_input: () => ({ value: field.value || null }),
      url_text_input: () => ({ value: field.value || null }),
      timepicker: () => ({ selected_time: field.value || null }),
      datepicker: () => ({ selected_date: field.value || null }),
      static_select: () => ({ selected_option: chosen[0] ? option(chosen[0]) : null }),
      multi_static_select: () => ({ selected_options: chosen.map(option) }),
      users_select: () => ({ selected_user: field.value || null }),
      multi_users_select: () => ({ selected_users: chosen.map((o) => o.value) }),
      channels_select: () => ({ selected_channel: field.value || null }),
      multi_channels_select: () => ({ selected_channels: chosen.map((o) => o.value) }),
      conversations_select: () => ({ selected_conversation: field.value || null }),
      multi_conversations_select: () => ({ selected_conversations: chosen.map((o) => o.value) }),
      checkboxes: () => ({ selected_options: boxes }),
      radio_buttons: () => ({ selected_option: boxes[0] || null }),
    }[type]();
    out[block.dataset.blockId] = { [block.dataset.actionId]: { type, ...value } };
  }
  return out;
}

function showErrors(errors) {
  for (const block of $("modal-body").querySelectorAll(".bk-input")) {
    const message = errors[block.dataset.blockId] || "";
    const field = block.querySelector("[data-type]");
    block.querySelector(".bk-error").textContent = message;
    if (message) { field.setAttribute("aria-invalid", "true"); field.setAttribute("aria-describedby", `error-${block.dataset.blockId}`); }
    else { field.removeAttribute("aria-invalid"); field.removeAttribute("aria-describedby"); }
  }
}

async function submitModal(event) {
  event.preventDefault();
  const state = values();
  // Like Slack's own client: a required field left empty never reaches the app.
  const missing = {};
  for (const block of $("modal-body").querySelectorAll(".bk-input[data-optional=false]")) {
    const value = Object.values(state[block.dataset.blockId])[0];
    if (Object.entries(value).every(([k, v]) => k === "type" || v === null || (Array.isArray(v) && !v.length))) {
      missing[block.dataset.blockId] = "Please complete this required field.";
    }
  }
  if (Object.keys(missing).length) { showErrors(missing); return; }
  const answer = await post("submit", { view_id: ui.state.modal.id, values: state });
  showErrors(answer.errors || {});
  $("modal-problem").textContent = answer.problem || "";
  refresh();
}

async function click(message, action) {
  await post("click", { channel: message.channel, ts: message.ts, action });
}

function go(id, thread = null) {
  ui.at = id; ui.thread = thread; ui.rendered = false;
  if (id === "home") post("home", {}).then(() => refresh());  // Slack's app_home_opened
  render();
}

function openThread(channel, ts) { ui.thread = [channel, ts]; render(); $("thread-input").focus(); }

function render() {
  if (!ui.state) return;
  conversations();
  $("channel-title").textContent = title(ui.at);
  $("composer").hidden = ui.at === "home";
  $("composer-input").setAttribute("aria-label", `Message ${title(ui.at)}`);
  $("composer-input").placeholder = `Message ${title(ui.at)}`;
  channelView();
  threadView();
  modalView();
  $("next-digest").textContent = `Skip to the digest · ${when(ui.state.next.digest, SHORT)}`;
  $("next-reask").textContent = `Skip to the re-ask · ${when(ui.state.next.reask, SHORT)}`;
  tick();
}

function tick() {
  $("clock").textContent = when(sandboxNow(), { ...SHORT, timeZoneName: "short" });
}

// A long poll made for someone else (the picker changed meanwhile) is dropped, unread.
async function refresh(wait = false) {
  const user = ui.me;
  const since = wait && ui.version !== null ? `&since=${ui.version}` : "";
  ui.polling = wait ? new AbortController() : ui.polling;
  const options = wait ? { signal: ui.polling.signal } : {};
  const state = await (await fetch(`/ui/state?user=${encodeURIComponent(user)}${since}`, options)).json();
  if (user !== ui.me) return;
  ui.skew = new Date(state.now) - Date.now();
  ui.version = state.version;
  ui.state = state;
  render();
}

async function poll() {
  for (;;) {
    try { await refresh(true); } catch (error) {
      if (error.name !== "AbortError") await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

// A permalink, /archives/C1/p1700000000000100, opens that conversation (and its thread).
function route(path) {
  const match = /^\/archives\/([A-Z0-9_]+)\/p(\d+)(\d{6})$/.exec(path);
  if (!match || !ui.state) return false;
  const ts = `${match[2]}.${match[3]}`;
  const found = ui.state.messages.find((m) => m.channel === match[1] && m.ts === ts);
  go(match[1] === ui.state.dm ? "dm" : match[1], found?.thread_ts ? [match[1], found.thread_ts] : null);
  return true;
}

async function say(input, threadTs) {
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  const channel = threadTs ? ui.thread[0] : channelId(ui.at);
  await post("say", { channel, text, thread_ts: threadTs });
}

async function start() {
  const spec = await (await fetch("/static/blockkit.json")).json();
  ui.kit = BlockKit.create(spec);
  const picker = $("person");
  const first = await (await fetch("/ui/state")).json();
  picker.replaceChildren(...first.people.map((p) => h("option", { value: p.id }, `${p.name} (${p.title})`)));
  ui.me = picker.value;
  picker.addEventListener("change", () => { ui.me = picker.value; ui.modalKey = null; ui.polling?.abort(); refresh(); });
  $("composer").addEventListener("submit", (e) => { e.preventDefault(); say($("composer-input"), null); });
  $("thread-composer").addEventListener("submit", (e) => { e.preventDefault(); say($("thread-input"), ui.thread[1]); });
  for (const input of [$("composer-input"), $("thread-input")]) {
    input.addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); input.form.requestSubmit(); } });
  }
  $("thread-close").addEventListener("click", () => { ui.thread = null; render(); });
  $("modal-form").addEventListener("submit", submitModal);
  $("modal-close").addEventListener("click", () => post("close", { view_id: ui.state.modal.id }).then(() => refresh()));
  $("modal").addEventListener("cancel", (e) => { e.preventDefault(); $("modal-close").click(); });
  for (const [id, to] of [["next-digest", "digest"], ["next-reask", "reask"]]) {
    $(id).addEventListener("click", async () => {
      $(id).disabled = true;
      $("clock-status").textContent = "Skipping ahead and running the scheduler…";
      try { await post("skip", { to }); } finally { $(id).disabled = false; $("clock-status").textContent = ""; }
    });
  }
  document.addEventListener("click", (e) => {
    const link = e.target.closest("a[href]");
    if (link && new URL(link.href).origin === location.origin && route(new URL(link.href).pathname)) {
      e.preventDefault();
      history.pushState(null, "", link.href);
    }
  });
  await refresh();
  route(location.pathname);
  setInterval(tick, 15000);
  poll();
}

start();
