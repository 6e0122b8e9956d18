// Storefront: the product page's variant picker (price, stock and the URL follow the chosen
// options), the "added to your cart" panel, gallery thumbnails and the search filter drawer.
// Without JavaScript each option button is a link to ?variant=<id> and the form posts normally.
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

  function sameOptions(a, b) {
    var keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every(function (key) { return b[key] === a[key]; });
  }

  // The rules of catalog/variant_picker.py: a button leads to the variant that changes only its
  // option, or else to the first variant with that value; it is marked when that exact
  // combination does not exist or is sold out.
  function bindOptionPicker(form) {
    var input = form.querySelector("[data-variant-input]");
    var dataNode = document.getElementById("variant-data");
    if (!input || !dataNode) return;
    var variants = JSON.parse(dataNode.textContent);
    var price = document.querySelector("[data-variant-price]");
    var approx = document.querySelector("[data-variant-approx]");
    var stock = document.querySelector("[data-variant-stock]");
    var button = form.querySelector("[data-add-button]");
    var groups = form.querySelectorAll("[data-option]");
    var current = variants.find(function (v) { return String(v.id) === input.value; }) || variants[0];

    function target(key, value) {
      var wanted = Object.assign({}, current.options);
      wanted[key] = value;
      var exact = variants.find(function (v) { return sameOptions(v.options, wanted); });
      return {
        exact: exact || null,
        variant: exact || variants.find(function (v) { return v.options[key] === value; }),
      };
    }

    function render() {
      input.value = String(current.id);
      groups.forEach(function (group) {
        var key = group.dataset.option;
        var chosen = group.querySelector("[data-option-chosen]");
        if (chosen) chosen.textContent = current.options[key] || "";
        group.querySelectorAll("[data-option-value]").forEach(function (link) {
          var value = link.dataset.optionValue;
          var found = target(key, value);
          var available = found.exact !== null && found.exact.stock !== 0;
          link.href = "?variant=" + found.variant.id;
          link.classList.toggle("variant-chip--unavailable", !available);
          if (current.options[key] === value) link.setAttribute("aria-current", "true");
          else link.removeAttribute("aria-current");
          var note = link.querySelector("[data-unavailable-note]");
          if (note) note.hidden = available;
        });
      });
      if (price) price.textContent = current.price;
      if (approx) approx.textContent = current.approx || "";
      if (stock) stock.textContent = stockText(form, current.stock);
      if (button) button.disabled = current.stock === 0;
      var next = form.querySelector("input[name=next]");
      var url = new URL(window.location.href);
      url.searchParams.set("variant", String(current.id));
      if (next) next.value = url.pathname + url.search;
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }

    form.addEventListener("click", function (event) {
      var link = event.target instanceof Element ? event.target.closest("[data-option-value]") : null;
      if (!link) return;
      event.preventDefault();
      var group = link.closest("[data-option]");
      current = target(group.dataset.option, link.dataset.optionValue).variant;
      render();
      link.focus();
    });
  }

  // The panel htmx fills after "Add to cart": focus its title, close it with its buttons or Esc.
  function bindCartAdded() {
    var box = document.getElementById("cart-added");
    if (!box) return;
    function close() {
      var hadFocus = box.contains(document.activeElement);
      box.innerHTML = "";
      if (hadFocus) {
        var button = document.querySelector("[data-add-button]");
        if (button) button.focus();
      }
    }
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target !== box) return;
      var title = box.querySelector("#cart-added-title");
      if (title) title.focus();
    });
    box.addEventListener("click", function (event) {
      var target = event.target instanceof Element ? event.target : null;
      if (target && target.closest("[data-cart-added-close]")) close();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && box.innerHTML.trim()) close();
    });
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
    document.querySelectorAll("[data-variant-form]").forEach(function (form) {
      bindVariantForm(form);
      bindOptionPicker(form);
    });
    bindCartAdded();
    bindGallery();
    bindDrawers();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
