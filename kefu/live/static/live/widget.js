// The customer's chat widget. Every text from the server is put into the page with
// textContent (never innerHTML): chat text and nicknames are hostile input.
(function () {
  "use strict";
  const boot = JSON.parse(document.getElementById("kw-boot").textContent);
  const T = boot.text;
  const root = document.querySelector("[data-widget]");
  const list = root.querySelector("[data-messages]");
  const input = root.querySelector("[data-input]");
  const statusLine = root.querySelector("[data-status]");
  const typing = root.querySelector("[data-typing]");
  const rating = root.querySelector("[data-rating]");
  const errorLine = root.querySelector("[data-error]");
  const seen = new Set();
  let state = boot.state;
  let socket = null;
  let typingTimer = null;
  let lastTypingSent = 0;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function timeOf(iso) {
    const d = new Date(iso);
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function addMessage(m) {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    const mine = m.sender === "customer";
    const item = el("li", "kw-msg kw-" + m.sender);
    item.dataset.sentAt = m.sent_at;
    const who = mine ? T.you : (m.sender === "agent" || m.sender === "bot" ? (m.agent || T.agent) : T.system);
    const meta = el("div", "kw-meta");
    meta.append(el("span", "kw-who", who), el("time", "kw-time", timeOf(m.sent_at)));
    item.append(meta);
    if (m.text) item.append(el("div", "kw-bubble", m.text));
    for (const url of m.attachments || []) {
      if (!url.startsWith("/live/files/")) continue;
      const img = el("img", "kw-img");
      img.src = url;
      img.alt = T.image;
      item.append(img);
    }
    if (mine) item.append(el("div", "kw-read", ""));
    list.append(item);
    list.scrollTop = list.scrollHeight;
    markRead();
    showRead();
  }

  function showRead() {
    const at = state.agent_read_at ? new Date(state.agent_read_at) : null;
    for (const item of list.querySelectorAll(".kw-customer")) {
      const read = at && new Date(item.dataset.sentAt) <= at;
      item.querySelector(".kw-read").textContent = read ? T.read : "";
    }
  }

  function showState(s) {
    if (s.state === "queued" && s.position) {
      statusLine.textContent = T.queued.replace("%(n)s", s.position);
    } else if (s.state === "off_hours" || s.state === "unrouted") {
      statusLine.textContent = s.message || statusLine.textContent;
    } else if (s.state === "assigned") {
      statusLine.textContent = T.assigned;
    }
  }

  function showRating(conversationId, text) {
    rating.hidden = false;
    rating.dataset.conversation = conversationId;
    rating.querySelector("[data-rating-text]").textContent = text || boot.rating_text;
  }

  function fail(message) {
    errorLine.textContent = message || T.failed;
    errorLine.hidden = false;
    setTimeout(() => { errorLine.hidden = true; }, 5000);
  }

  async function call(url, options) {
    const response = await fetch(url, Object.assign({ headers: {} }, options, {
      headers: Object.assign({ "X-Kefu-Token": boot.token }, (options || {}).headers || {}),
    }));
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((body.error && body.error.message) || T.failed);
    return body;
  }

  async function send(text, attachments) {
    const body = await call(boot.urls.message, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: text, attachments: attachments || [] }),
    });
    addMessage(body.message);
    if (!state.conversation || state.conversation !== body.message.conversation) {
      state.conversation = body.message.conversation;
      watch();
    }
    showState(body.state);
  }

  root.querySelector("[data-compose]").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    try { await send(text); } catch (error) { input.value = text; fail(error.message); }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      root.querySelector("[data-compose]").requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    const now = Date.now();
    if (socket && socket.readyState === 1 && now - lastTypingSent > 2000) {
      socket.send(JSON.stringify({ type: "typing" }));
      lastTypingSent = now;
    }
  });
  root.querySelector("[data-image]").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file) return;
    const form = new FormData();
    form.append("image", file);
    try {
      const body = await call(boot.urls.image, { method: "POST", body: form });
      await send("", [body.url]);
    } catch (error) { fail(error.message); }
  });
  for (const star of rating.querySelectorAll("[data-rate]")) {
    star.addEventListener("click", async () => {
      const value = Number(star.dataset.rate);
      try {
        await call(boot.urls.rate, {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ conversation: Number(rating.dataset.conversation), rating: value }),
        });
        for (const other of rating.querySelectorAll("[data-rate]")) {
          other.classList.toggle("kw-on", Number(other.dataset.rate) <= value);
          other.disabled = true;
        }
        rating.querySelector("[data-thanks]").hidden = false;
      } catch (error) { fail(error.message); }
    });
  }

  function markRead() {
    if (socket && socket.readyState === 1 && document.visibilityState === "visible") {
      socket.send(JSON.stringify({ type: "read" }));
    }
  }

  function watch() {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "watch" }));
  }

  function onEvent(event) {
    if (event.type === "message") {
      typing.hidden = true;
      addMessage(event.message);
    } else if (event.type === "typing" && event.side === "agent") {
      typing.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => { typing.hidden = true; }, 4000);
    } else if (event.type === "read" && event.side === "agent") {
      state.agent_read_at = event.at;
      showRead();
    } else if (event.type === "queue") {
      showState(event);
    } else if (event.type === "assigned") {
      showState({ state: "assigned" });
    } else if (event.type === "rating_invite") {
      showRating(event.conversation, event.text);
    } else if (event.type === "ended") {
      statusLine.textContent = T.ended;
      state.conversation = null;
      watch();
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + boot.urls.socket + "?token=" + encodeURIComponent(boot.token));
    socket.addEventListener("message", (message) => onEvent(JSON.parse(message.data)));
    socket.addEventListener("open", () => { root.dataset.connected = "true"; markRead(); });
    socket.addEventListener("close", () => { root.dataset.connected = "false"; setTimeout(connect, 3000); });
  }

  // When the socket is down (a proxy without WebSockets), ask every 5 seconds.
  async function poll() {
    if (!socket || socket.readyState !== 1) {
      try {
        const body = await call(boot.urls.state, { method: "GET" });
        body.messages.forEach(addMessage);
        state = Object.assign(state, body.state);
        showRead();
        if (body.state.rating_invite) showRating(body.state.rating_invite);
        if (body.state.position) showState({ state: "queued", position: body.state.position });
      } catch (error) { /* try again next time */ }
    }
    setTimeout(poll, 5000);
  }

  boot.history.forEach(addMessage);
  if (state.rating_invite) showRating(state.rating_invite);
  if (state.position) showState({ state: "queued", position: state.position });
  document.addEventListener("visibilitychange", markRead);
  connect();
  setTimeout(poll, 5000);
})();
