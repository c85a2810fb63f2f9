// The agent workspace: the conversation's messages live over the staff WebSocket, the
// reply box with scripts inserted (variables already filled by the server), typing and
// read marks. Every chat text goes into the page with textContent, never innerHTML.
(function () {
  "use strict";
  const bootNode = document.getElementById("ws-boot");
  if (!bootNode) return;
  const boot = JSON.parse(bootNode.textContent);
  const T = boot.text || {};
  const list = document.querySelector("[data-messages]");
  const replyForm = document.querySelector("[data-reply]");
  const replyText = document.querySelector("[data-reply-text]");
  const scriptId = document.querySelector("[data-script-id]");
  const typing = document.querySelector("[data-typing]");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  const seen = new Set();
  let socket = null;
  let typingTimer = null;
  let lastTypingSent = 0;
  let customerReadAt = null;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function timeOf(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function addMessage(m) {
    if (!list || seen.has("m" + m.id)) return;
    seen.add("m" + m.id);
    const item = el("li", "ws-msg ws-" + m.sender);
    item.dataset.sentAt = m.sent_at;
    const who = m.sender === "customer" ? T.customer : m.sender === "agent" ? (m.agent || T.agent) : T.system;
    const meta = el("div", "ws-meta");
    meta.append(el("span", "", who), el("time", "", timeOf(m.sent_at)));
    if (m.sender === "agent") meta.append(el("span", "ws-read", ""));
    item.append(meta);
    if (m.text) item.append(el("div", "ws-bubble", m.text));
    for (const url of m.attachments || []) {
      if (!url.startsWith("/live/files/")) continue;
      const link = el("a");
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener";
      const img = el("img", "ws-img");
      img.src = url;
      img.alt = T.image;
      link.append(img);
      item.append(link);
    }
    list.append(item);
    list.scrollTop = list.scrollHeight;
    showRead();
  }

  function addWhisper(w) {
    if (!list || seen.has("w" + w.id)) return;
    seen.add("w" + w.id);
    const item = el("li", "ws-msg ws-whisper");
    const meta = el("div", "ws-meta");
    meta.append(el("span", "", T.whisper + " · " + w.author), el("time", "", timeOf(w.created_at)));
    item.append(meta, el("div", "ws-bubble", w.text));
    list.append(item);
    list.scrollTop = list.scrollHeight;
  }

  function showRead() {
    if (!customerReadAt || !list) return;
    for (const item of list.querySelectorAll(".ws-agent")) {
      const mark = item.querySelector(".ws-read");
      if (mark && new Date(item.dataset.sentAt) <= customerReadAt) mark.textContent = T.read;
    }
  }

  function refreshList() { document.body.dispatchEvent(new Event("kefu:list")); }

  function onEvent(event) {
    if (event.type === "message" && event.message.conversation === boot.conversation) {
      addMessage(event.message);
      if (event.message.sender === "customer") {
        if (typing) typing.hidden = true;
        document.body.dispatchEvent(new Event("kefu:customer-message"));
        markRead();
      }
      refreshList();
    } else if (event.type === "message" || event.type === "list" || event.type === "assigned" || event.type === "ended") {
      refreshList();
      if (event.type === "ended" && event.conversation === boot.conversation && replyForm) location.reload();
    } else if (event.type === "whisper" && event.whisper.conversation === boot.conversation) {
      addWhisper(event.whisper);
    } else if (event.type === "typing" && event.side === "customer" && event.conversation === boot.conversation) {
      if (!typing) return;
      typing.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => { typing.hidden = true; }, 4000);
    } else if (event.type === "read" && event.side === "customer") {
      customerReadAt = new Date(event.at);
      showRead();
    } else if (event.type === "transferred" && replyForm) {
      location.reload();
    }
  }

  function markRead() {
    if (boot.serving && socket && socket.readyState === 1 && document.visibilityState === "visible") {
      socket.send(JSON.stringify({ type: "read", conversation: boot.conversation }));
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + boot.socket);
    socket.addEventListener("open", () => {
      document.body.dataset.live = "connected";
      if (boot.conversation) socket.send(JSON.stringify({ type: "watch", conversation: boot.conversation }));
    });
    socket.addEventListener("message", (message) => {
      const event = JSON.parse(message.data);
      if (event.type === "watching") { markRead(); return; }
      onEvent(event);
    });
    socket.addEventListener("close", () => { document.body.dataset.live = "closed"; setTimeout(connect, 3000); });
  }

  if (replyForm) {
    replyForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = replyText.value.trim();
      if (!text) return;
      const response = await fetch(boot.urls.reply, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf.value },
        body: JSON.stringify({ text: text, script: scriptId.value ? Number(scriptId.value) : null }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) { alert((body.error && body.error.message) || T.failed); return; }
      replyText.value = "";
      scriptId.value = "";
      addMessage(body.message);
      refreshList();
    });
    replyText.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); replyForm.requestSubmit(); }
    });
    replyText.addEventListener("input", () => {
      const now = Date.now();
      if (socket && socket.readyState === 1 && now - lastTypingSent > 2000) {
        socket.send(JSON.stringify({ type: "typing", conversation: boot.conversation }));
        lastTypingSent = now;
      }
    });
    // Insert a script: its text (variables filled) replaces the selection in the reply box.
    document.addEventListener("click", (event) => {
      const button = event.target.closest("[data-insert]");
      if (!button) return;
      const text = button.closest("[data-script-choice]").querySelector("[data-script-text]").textContent;
      const start = replyText.selectionStart, end = replyText.selectionEnd;
      replyText.value = replyText.value.slice(0, start) + text + replyText.value.slice(end);
      scriptId.value = button.dataset.insert;
      replyText.focus();
    });
  }

  (boot.messages || []).forEach(addMessage);
  (boot.whispers || []).forEach(addWhisper);
  document.addEventListener("visibilitychange", markRead);
  connect();
})();
