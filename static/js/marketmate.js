// MarketMate's small shared script: CSRF for htmx requests. Loaded with `defer`.
(function () {
  "use strict";
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });
  // The header's account menu (<details>) closes on Escape and on a click elsewhere.
  function menusClose(except) {
    document.querySelectorAll("details[data-site-menu][open]").forEach(function (menu) {
      if (menu !== except) { menu.removeAttribute("open"); }
    });
  }
  document.addEventListener("click", function (event) {
    menusClose(event.target.closest && event.target.closest("details[data-site-menu]"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelector("details[data-site-menu][open]");
    if (open) { open.removeAttribute("open"); open.querySelector("summary").focus(); }
  });
  // The language switcher submits as soon as a language is chosen; without script it has a button.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-autosubmit]");
    if (select) { select.form.submit(); }
  });
})();
