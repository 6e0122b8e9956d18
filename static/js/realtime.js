// MarketMate live updates: one WebSocket to /ws/ per page (see docs/realtime.md).
// Reconnects with backoff, joins the rooms the page names (data-realtime-room), and turns
// server events into DOM updates: chat threads and inboxes, the notification badge, order
// status. Every event is also dispatched on document as "realtime:<type>" for other scripts.
// Loaded with defer, for signed-in users only; no dependencies.
(function () {
  "use strict";

  var PING_EVERY = 25000;
  var BACKOFF_MIN = 1000;
  var BACKOFF_MAX = 30000;
  var socket = null;
  var attempts = 0;
  var pingTimer = null;
  var connectedOnce = false;
  var pending = [];

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + "/ws/";
  }

  function send(event) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(event));
      return true;
    }
    return false;
  }

  function pageRooms() {
    var rooms = [];
    document.querySelectorAll("[data-realtime-room]").forEach(function (element) {
      var room = element.getAttribute("data-realtime-room");
      if (room && rooms.indexOf(room) === -1) { rooms.push(room); }
    });
    return rooms;
  }

  function backoff() {
    // Exponential with jitter, so a restarted server is not hit by every tab at once.
    var ceiling = Math.min(BACKOFF_MAX, BACKOFF_MIN * Math.pow(2, attempts));
    return ceiling / 2 + Math.random() * ceiling / 2;
  }

  function connect() {
    socket = new WebSocket(socketUrl());
    socket.addEventListener("message", function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (error) { return; }
      if (event && typeof event.type === "string") { dispatch(event); }
    });
    socket.addEventListener("close", function (close) {
      window.clearInterval(pingTimer);
      document.documentElement.removeAttribute("data-realtime");
      pageRooms().forEach(function (room) {
        document.documentElement.removeAttribute("data-realtime-joined-" + room.replace(":", "-"));
      });
      if (close.code === 4401) { return; } // signed out: do not retry
      attempts += 1;
      window.setTimeout(connect, backoff());
    });
  }

  function dispatch(event) {
    var handler = handlers[event.type];
    if (handler) { handler(event); }
    document.dispatchEvent(new CustomEvent("realtime:" + event.type, { detail: event }));
  }

  var handlers = {
    "session:ready": function () {
      attempts = 0;
      document.documentElement.setAttribute("data-realtime", "connected");
      pageRooms().forEach(function (room) { send({ type: "room:join", room: room }); });
      window.clearInterval(pingTimer);
      pingTimer = window.setInterval(function () { send({ type: "ping" }); }, PING_EVERY);
      if (connectedOnce) {
        // Events may have been missed while away: catch up on what was stored meanwhile, and
        // let fragments refresh themselves.
        chatCatchUp();
        orderCatchUp();
        document.body.dispatchEvent(new CustomEvent("realtime:reconnected", { bubbles: true }));
      }
      connectedOnce = true;
      pending.splice(0).forEach(send);
    },
    "room:joined": function (event) {
      // Lets tests and styles know the page listens live in this room.
      document.documentElement.setAttribute("data-realtime-joined-" + event.room.replace(":", "-"), "");
    },
    "chat:message": function (event) { chatMessage(event); },
    "chat:read": function (event) { chatRead(event); },
    "notification:new": function (event) { badgeSet(event.unread_count); },
    "order:status:update": function (event) { orderStatus(event); },
    "error": function (event) {
      var error = document.querySelector("[data-chat-error]");
      if (error && (event.code === "rate_limited" || event.code === "invalid_event" ||
          event.code === "conversation_closed" || event.code === "forbidden")) {
        error.textContent = event.message;
        error.hidden = false;
      }
    }
  };

  // --- Chat -------------------------------------------------------------------------------
  function thread(conversationId) {
    var element = document.querySelector("[data-chat-thread]");
    if (element && Number(element.getAttribute("data-conversation-id")) === conversationId) {
      return element;
    }
    return null;
  }

  function timeLabel(iso) {
    var date = new Date(iso);
    return date.toLocaleString(document.documentElement.lang || undefined, {
      month: "short", day: "numeric", hour: "2-digit", minute: "2-digit"
    });
  }

  function messageElement(container, message) {
    var mine = message.side === container.getAttribute("data-viewer-side");
    var item = document.createElement("li");
    item.className = "chat-message " + (mine ? "chat-message--mine" : "chat-message--theirs");
    item.setAttribute("data-message-id", String(message.id));
    item.setAttribute("data-side", message.side);
    var body = document.createElement("p");
    body.className = "chat-message__body";
    body.textContent = message.body; // text, never HTML
    var meta = document.createElement("p");
    meta.className = "chat-message__meta";
    var who = document.createElement("span");
    who.textContent = mine ? container.getAttribute("data-label-you") : message.sender_name;
    var time = document.createElement("time");
    time.setAttribute("datetime", message.created);
    time.textContent = timeLabel(message.created);
    meta.appendChild(who);
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(time);
    if (mine) {
      var seen = document.createElement("span");
      seen.className = "chat-message__seen";
      seen.setAttribute("data-seen", "");
      seen.hidden = !message.read_at;
      seen.textContent = " · " + container.getAttribute("data-label-seen");
      meta.appendChild(seen);
    }
    item.appendChild(body);
    item.appendChild(meta);
    return item;
  }

  function chatMessage(event) {
    var container = thread(event.conversation_id);
    if (container) {
      var list = container.querySelector("[data-chat-messages]");
      if (!list.querySelector('[data-message-id="' + event.message.id + '"]')) {
        var empty = list.querySelector("[data-chat-empty]");
        if (empty) { empty.remove(); }
        list.appendChild(messageElement(container, event.message));
        list.lastElementChild.scrollIntoView({ block: "nearest" });
      }
      var theirs = event.message.side !== container.getAttribute("data-viewer-side");
      if (theirs && document.visibilityState === "visible") {
        send({ type: "chat:read", conversation_id: event.conversation_id });
      }
      return;
    }
    inboxUpdate(event);
  }

  function chatCatchUp() {
    // The newest page of the open thread, oldest first; chatMessage() skips what is shown.
    var container = document.querySelector("[data-chat-thread]");
    if (!container) { return; }
    var conversationId = Number(container.getAttribute("data-conversation-id"));
    fetch("/api/v1/chat/conversations/" + conversationId + "/messages", {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (answer) {
      return answer.ok ? answer.json() : { results: [] };
    }).then(function (page) {
      (page.results || []).slice().reverse().forEach(function (message) {
        chatMessage({ conversation_id: conversationId, message: message });
      });
    }).catch(function () {});
  }

  function inboxUpdate(event) {
    var inbox = document.querySelector("[data-chat-inbox]");
    if (!inbox) { return; }
    var side = inbox.getAttribute("data-side");
    if (side === "shop" && event.message.side !== "buyer") { return; }
    if (side === "buyer" && event.message.side !== "shop") { return; }
    var row = inbox.querySelector('[data-conversation-row="' + event.conversation_id + '"]');
    if (!row) {
      var template = inbox.getAttribute("data-detail-url");
      if (!template) { return; }
      row = document.createElement("li");
      row.className = "conversation-row";
      row.setAttribute("data-conversation-row", String(event.conversation_id));
      var link = document.createElement("a");
      link.className = "conversation-row__link";
      link.href = template.replace(/\/0\/$/, "/" + event.conversation_id + "/");
      var who = document.createElement("span");
      who.className = "conversation-row__who";
      who.textContent = event.message.sender_name;
      var preview = document.createElement("span");
      preview.className = "conversation-row__preview";
      preview.setAttribute("data-preview", "");
      var when = document.createElement("span");
      when.className = "conversation-row__when muted";
      when.setAttribute("data-when", "");
      var badges = document.createElement("span");
      badges.className = "conversation-row__badges";
      var badge = document.createElement("span");
      badge.className = "badge badge--new";
      badge.setAttribute("data-unread-count", "");
      badge.textContent = "0";
      badges.appendChild(badge);
      [who, preview, when, badges].forEach(function (part) { link.appendChild(part); });
      row.appendChild(link);
      var empty = document.querySelector("[data-chat-inbox-empty]");
      if (empty) { empty.remove(); }
      inbox.hidden = false;
    }
    var previewText = event.message.body.length > 90 ? event.message.body.slice(0, 89) + "…" : event.message.body;
    row.querySelector("[data-preview]").textContent = previewText;
    var whenElement = row.querySelector("[data-when]");
    if (whenElement) { whenElement.textContent = timeLabel(event.message.created); }
    var count = row.querySelector("[data-unread-count]");
    var number = parseInt(count.firstChild && count.firstChild.nodeValue, 10) || 0;
    count.firstChild ? (count.firstChild.nodeValue = String(number + 1)) : (count.textContent = String(number + 1));
    count.hidden = false;
    row.classList.add("conversation-row--unread");
    inbox.insertBefore(row, inbox.firstChild);
  }

  function chatRead(event) {
    var container = thread(event.conversation_id);
    if (!container || event.side === container.getAttribute("data-viewer-side")) { return; }
    container.querySelectorAll(".chat-message--mine [data-seen]").forEach(function (seen) {
      seen.hidden = false;
    });
  }

  document.addEventListener("submit", function (submit) {
    var form = submit.target.closest("[data-chat-form]");
    if (!form) { return; }
    var container = form.closest("[data-chat-thread]");
    var field = form.querySelector("textarea[name=body]");
    var body = field.value.trim();
    if (!body) { submit.preventDefault(); return; }
    var sent = send({
      type: "chat:send",
      conversation_id: Number(container.getAttribute("data-conversation-id")),
      body: body,
      client_id: String(Date.now())
    });
    if (sent) {
      // Sent live; without a socket the form posts as plain HTML.
      submit.preventDefault();
      field.value = "";
      var error = form.querySelector("[data-chat-error]");
      if (error) { error.hidden = true; }
    }
  });

  document.addEventListener("keydown", function (key) {
    // Enter sends, Shift+Enter makes a new line.
    if (key.key !== "Enter" || key.shiftKey || key.isComposing) { return; }
    var field = key.target.closest && key.target.closest("[data-chat-form] textarea");
    if (field) {
      key.preventDefault();
      field.form.requestSubmit();
    }
  });

  // --- Notifications ----------------------------------------------------------------------
  function badgeSet(count) {
    var bell = document.getElementById("notification-bell");
    if (!bell) { return; }
    var badge = bell.querySelector("[data-notification-badge]");
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = count === 0;
    var label = count === 0 ? bell.getAttribute("data-label-none")
      : count === 1 ? bell.getAttribute("data-label-one")
      : bell.getAttribute("data-label-many").replace("%(count)s", String(count));
    bell.setAttribute("aria-label", label);
  }

  // --- Orders -----------------------------------------------------------------------------
  function orderStatus(event) {
    // Elements marked for this order, and those a page's order room names by selector.
    var targets = Array.prototype.slice.call(
      document.querySelectorAll('[data-order-status][data-order-id="' + event.order_id + '"]'));
    document.querySelectorAll('[data-order-live="' + event.order_id + '"]').forEach(function (live) {
      var selector = live.getAttribute("data-order-status-selector");
      if (selector) { targets = targets.concat(Array.prototype.slice.call(document.querySelectorAll(selector))); }
    });
    targets.forEach(function (element) {
      element.textContent = event.status_display;
      element.setAttribute("data-order-status", event.status);
      element.className = element.className.replace(/\border-status--[\w-]+/, "order-status--" + event.status);
    });
    orderBlocksRefresh(event.order_id);
  }

  function orderBlocksRefresh(orderId) {
    // The rest of the order's status (progress, tracking, Cancel) is rendered by the server:
    // htmx fetches the page again and swaps the block in (orders/order_detail.html).
    if (!window.htmx) { return; }
    document.querySelectorAll('[data-order-block="' + orderId + '"]').forEach(function (block) {
      window.htmx.trigger(block, "order-changed");
    });
  }

  function orderCatchUp() {
    // Status changes missed while away: read them from a fresh copy of this page.
    var live = document.querySelectorAll("[data-order-live]");
    if (!live.length) { return; }
    fetch(window.location.href, { credentials: "same-origin" }).then(function (answer) {
      return answer.ok ? answer.text() : "";
    }).then(function (html) {
      if (!html) { return; }
      var fresh = new DOMParser().parseFromString(html, "text/html");
      live.forEach(function (element) {
        var selector = element.getAttribute("data-order-status-selector");
        if (!selector) { return; }
        var now = fresh.querySelector(selector);
        var status = now && now.getAttribute("data-order-status");
        if (status) {
          orderStatus({
            order_id: element.getAttribute("data-order-live"),
            status: status,
            status_display: now.textContent.trim()
          });
        }
      });
    }).catch(function () {});
  }

  // --- Web push (the preferences page) ----------------------------------------------------
  function base64UrlToBytes(value) {
    var padded = (value + "===".slice((value.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function postJson(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(data)
    });
  }

  function pushSetup(card) {
    var status = card.querySelector("[data-push-status]");
    var on = card.querySelector("[data-push-subscribe]");
    var off = card.querySelector("[data-push-unsubscribe]");
    if (!on) { return; }
    function show(state) {
      status.textContent = card.getAttribute("data-label-" + state);
      on.hidden = state === "on" || state === "unsupported";
      off.hidden = state !== "on";
    }
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) { show("unsupported"); return; }
    if (window.Notification && Notification.permission === "denied") { show("denied"); }
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (registration) {
      return registration.pushManager.getSubscription();
    }).then(function (subscription) { if (subscription) { show("on"); } }).catch(function () {});
    on.addEventListener("click", function () {
      navigator.serviceWorker.ready.then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: base64UrlToBytes(card.getAttribute("data-vapid-key"))
        });
      }).then(function (subscription) {
        return postJson(card.getAttribute("data-subscribe-url"), subscription.toJSON());
      }).then(function (response) {
        // 409: this browser's endpoint is another account's (turn off, then on, to take it).
        if (!response.ok) { throw new Error("push subscription refused"); }
        show("on");
      }).catch(function () {
        show(window.Notification && Notification.permission === "denied" ? "denied" : "off");
      });
    });
    off.addEventListener("click", function () {
      navigator.serviceWorker.ready.then(function (registration) {
        return registration.pushManager.getSubscription();
      }).then(function (subscription) {
        if (!subscription) { return null; }
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () {
          return postJson(card.getAttribute("data-unsubscribe-url"), { endpoint: endpoint });
        });
      }).then(function () { show("off"); });
    });
  }

  window.MarketMateRealtime = {
    send: function (event) { if (!send(event)) { pending.push(event); } },
    join: function (room) { window.MarketMateRealtime.send({ type: "room:join", room: room }); }
  };

  // Chat times in one format per language: the server writes them in the language's format
  // ("chat time format" in locale/, matching timeLabel's) in the site's time zone; they are written
  // again by timeLabel, in the browser's zone, so server-rendered and live times never differ.
  document.querySelectorAll(".chat-message time[datetime], .conversation-row__when time[datetime]")
    .forEach(function (time) { time.textContent = timeLabel(time.getAttribute("datetime")); });

  var pushCard = document.querySelector("[data-push]");
  if (pushCard) { pushSetup(pushCard); }
  if ("WebSocket" in window) { connect(); }
})();
