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

  function start() {
    document.querySelectorAll("[data-variant-form]").forEach(bindVariantForm);
    bindGallery();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
