// Storefront: the product page's variant picker (price and stock follow the chosen option) and
// gallery thumbnails. Without JavaScript the select still chooses what "Add to cart" buys.
(function () {
  "use strict";

  function stockText(form, stock) {
    if (stock < 0) return form.dataset.textInStock;
    if (stock === 0) return form.dataset.textSoldOut;
    return form.dataset.textCount.replace("__count__", String(stock));
  }

  function bindVariantForm(form) {
    var select = form.querySelector("[data-variant-select]");
    if (!select) return;
    var price = document.querySelector("[data-variant-price]");
    var approx = document.querySelector("[data-variant-approx]");
    var stock = document.querySelector("[data-variant-stock]");
    var button = form.querySelector("[data-add-button]");
    function update() {
      var option = select.options[select.selectedIndex];
      var count = parseInt(option.dataset.stock, 10);
      if (price) price.textContent = option.dataset.price;
      if (approx) approx.textContent = option.dataset.approx || "";
      if (stock) stock.textContent = stockText(form, count);
      if (button) button.disabled = count === 0;
    }
    select.addEventListener("change", update);
    update();
  }

  function bindGallery() {
    var main = document.querySelector("[data-gallery-main]");
    var source = document.querySelector("[data-gallery-source]");
    if (!main) return;
    document.querySelectorAll(".gallery__thumb").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        main.src = link.dataset.largeJpeg;
        main.alt = link.dataset.alt;
        if (source) source.srcset = link.dataset.largeWebp;
      });
    });
  }

  // The search filters as a drawer on phones (the CSS applies it under html.js-drawers). Bound
  // on the document, so the buttons work after htmx swaps the results in.
  function drawer(open) {
    var panel = document.getElementById("search-facets");
    var toggle = document.querySelector("[data-drawer-open]");
    if (!panel || !toggle) return;
    panel.classList.toggle("is-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      var close = panel.querySelector("[data-drawer-close]");
      if (close) close.focus();
    } else if (document.activeElement && panel.contains(document.activeElement)) {
      toggle.focus();
    }
  }

  function bindDrawers() {
    document.documentElement.classList.add("js-drawers");
    document.addEventListener("click", function (event) {
      var target = event.target instanceof Element ? event.target : null;
      if (!target) return;
      if (target.closest("[data-drawer-open]")) drawer(true);
      else if (target.closest("[data-drawer-close]")) drawer(false);
    });
    document.addEventListener("keydown", function (event) {
      var panel = document.getElementById("search-facets");
      if (event.key === "Escape" && panel && panel.classList.contains("is-open")) drawer(false);
    });
  }

  function start() {
    document.querySelectorAll("[data-variant-form]").forEach(bindVariantForm);
    bindGallery();
    bindDrawers();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
