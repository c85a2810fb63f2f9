/* The live monitor (实时监控): listens on the staff socket and refreshes.
 *
 * Monitor page: any event of the shop schedules one htmx refresh of the panel (about a
 * second after the first event, never more often than every MIN_GAP ms); the panel also
 * polls every 15 s through its hx-trigger, so the page works without the socket.
 * Conversation page: watches the conversation; messages and whispers are appended as
 * text (textContent, never markup: chat text is hostile input); without the socket the
 * chat is fetched again every 15 s. */
(function () {
  "use strict";

  var DEBOUNCE = 1000;
  var MIN_GAP = 3000;
  var POLL = 15000;

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + "/ws/live/staff/";
  }

  function setState(open) {
    document.querySelectorAll("[data-socket-state]").forEach(function (badge) {
      badge.setAttribute("data-socket-state", open ? "live" : "polling");
      badge.textContent = badge.getAttribute(open ? "data-label-live" : "data-label-polling");
      badge.classList.toggle("badge-ok", open);
    });
  }

  /* A socket that reconnects with a growing delay; onEvent gets each parsed event. */
  function connect(onOpen, onEvent) {
    var delay = 1000;
    var socket = null;
    function open() {
      if (!("WebSocket" in window)) { setState(false); return; }
      try { socket = new WebSocket(socketUrl()); } catch (e) { setState(false); return; }
      socket.onopen = function () { delay = 1000; setState(true); if (onOpen) onOpen(socket); };
      socket.onmessage = function (message) {
        var event;
        try { event = JSON.parse(message.data); } catch (e) { return; }
        if (event && typeof event === "object") onEvent(event);
      };
      socket.onclose = function () {
        setState(false);
        window.setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    open();
    return function isOpen() { return socket !== null && socket.readyState === 1; };
  }

  /* ---- the monitor page ---- */
  function monitorPage(panel) {
    var timer = null;
    var last = 0;
    function refresh() {
      timer = null;
      last = Date.now();
      if (window.htmx) window.htmx.trigger(document.body, "monitor-refresh");
    }
    function schedule() {
      if (timer !== null) return;
      var wait = Math.max(DEBOUNCE, MIN_GAP - (Date.now() - last));
      timer = window.setTimeout(refresh, wait);
    }
    document.querySelectorAll("[data-monitor-refresh]").forEach(function (button) {
      button.addEventListener("click", refresh);
    });
    connect(null, function (event) {
      if (event.type !== "watching") schedule();
    });
  }

  /* ---- one conversation ---- */
  function time(iso) {
    var at = new Date(iso);
    if (isNaN(at.getTime())) return "";
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(at.getHours()) + ":" + two(at.getMinutes()) + ":" + two(at.getSeconds());
  }

  function bubble(root, className, key, value, meta, text) {
    var chat = document.getElementById("monitor-chat");
    if (!chat || chat.querySelector("[" + key + '="' + CSS.escape(String(value)) + '"]')) return null;
    var empty = chat.querySelector("[data-chat-empty]");
    if (empty) empty.remove();
    var box = document.createElement("div");
    box.className = className;
    box.setAttribute(key, String(value));
    var head = document.createElement("div");
    head.className = "msg-meta";
    head.textContent = meta;
    var body = document.createElement("div");
    body.className = "msg-text";
    body.textContent = text || "";
    box.appendChild(head);
    box.appendChild(body);
    chat.appendChild(box);
    box.scrollIntoView({block: "nearest"});
    return body;
  }

  function addMessage(root, m) {
    var who = m.sender === "customer" ? root.dataset.labelCustomer
      : m.sender === "agent" ? (m.agent || "") : root.dataset.labelSystem;
    var body = bubble(root, "msg msg-" + String(m.sender).replace(/[^a-z]/g, ""), "data-message", m.id,
                      who + " · " + time(m.sent_at), m.text);
    if (!body) return;
    (m.attachments || []).forEach(function (url) {
      if (typeof url !== "string" || url.charAt(0) !== "/" || url.charAt(1) === "/") return;
      var link = document.createElement("a");
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = " " + root.dataset.labelAttachment;
      body.appendChild(link);
    });
  }

  function addWhisper(root, w) {
    bubble(root, "msg msg-whisper", "data-whisper", w.id,
           root.dataset.labelWhisper + " · " + (w.author || "") + " · " + time(w.created_at), w.text);
  }

  /* Fetch the page again and swap its refreshable parts (the server escaped them). */
  function reload() {
    return fetch(window.location.href, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-refreshable][id]").forEach(function (node) {
          var replacement = fresh.getElementById(node.id);
          if (replacement) node.replaceWith(document.importNode(replacement, true));
        });
      })
      .catch(function () {});
  }

  function conversationPage(root) {
    var id = parseInt(root.getAttribute("data-monitor-conversation"), 10);
    var pending = null;
    function later() {
      if (pending === null) pending = window.setTimeout(function () { pending = null; reload(); }, DEBOUNCE);
    }
    var isOpen = connect(function (socket) {
      socket.send(JSON.stringify({type: "watch", conversation: id}));
    }, function (event) {
      if (event.type === "message" && event.message && event.message.conversation === id) {
        addMessage(root, event.message);
        later();  // the wait and the alerts change with each message
      } else if (event.type === "whisper" && event.whisper && event.whisper.conversation === id) {
        addWhisper(root, event.whisper);
      } else if (["assigned", "transferred", "ended", "rated"].indexOf(event.type) >= 0) {
        later();
      }
    });
    window.setInterval(function () { if (!isOpen()) reload(); }, POLL);
  }

  function start() {
    var panel = document.querySelector("[data-monitor-panel]");
    if (panel) monitorPage(panel);
    var root = document.querySelector("[data-monitor-conversation]");
    if (root) conversationPage(root);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
