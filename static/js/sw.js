// MarketMate's service worker: shows web-push notifications and opens their link on click.
// Served at /sw.js (scope "/") by notifications.views.service_worker.
"use strict";

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = { title: event.data.text() }; }
  var title = data.title || "MarketMate";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    icon: "/static/img/favicon.svg",
    tag: data.kind || "marketmate",
    data: { link: data.link || "/notifications/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var link = new URL(event.notification.data.link, self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (clients) {
    for (var i = 0; i < clients.length; i += 1) {
      if (clients[i].url === link && "focus" in clients[i]) { return clients[i].focus(); }
    }
    return self.clients.openWindow(link);
  }));
});
