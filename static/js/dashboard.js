// The vendor dashboard's enhancements; every page works without them. Loaded with `defer`.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // --- Option and variant rows: "Add another" clones the formset's empty row; "Remove" takes
  // out a row not saved yet (its index is then simply missing, which the formset ignores). -----
  function initRows(root, listSel, templateSel, addSel, hintSel, onAdd) {
    var list = root.querySelector(listSel);
    var template = root.querySelector(templateSel);
    var button = root.querySelector(addSel);
    if (!list || !template || !button) { return; }
    var total = button.closest("section").querySelector("input[name$='-TOTAL_FORMS']");
    if (!total) { return; }
    button.hidden = false;
    var hint = root.querySelector(hintSel);
    if (hint) { hint.hidden = true; }
    list.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-row-remove]");
      if (!remove) { return; }
      var row = remove.closest("li");
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      var focus = next && next.querySelector("input:not([type=hidden])");
      (focus || button).focus();
      refreshOptionSlots(document);
    });
    list.querySelectorAll("[data-row-remove]").forEach(function (remove) { remove.hidden = false; });
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      list.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
      if (onAdd) { onAdd(); }
      var first = list.lastElementChild && list.lastElementChild.querySelector("input:not([type=hidden]):not([disabled])");
      var visible = list.lastElementChild && list.lastElementChild.querySelector("[data-option-slot]:not([hidden]) input");
      (visible || first).focus();
    });
  }

  // The variant rows' option fields follow the option names as they are typed.
  function refreshOptionSlots(root) {
    // Slot i of a variant belongs to option row i (by its form index, as on the server).
    var names = [];
    root.querySelectorAll("[data-option-list] input[name$='-name']").forEach(function (input) {
      var index = parseInt(input.name.split("-")[1], 10);
      var row = input.closest("li");
      var deleted = row && row.querySelector("input[name$='-DELETE']:checked");
      names[index] = deleted ? "" : input.value.trim();
    });
    root.querySelectorAll("[data-variant-list] [data-option-slot]").forEach(function (slot) {
      var index = parseInt(slot.getAttribute("data-option-slot"), 10);
      var label = slot.querySelector("label");
      var hasError = slot.classList.contains("field--error");
      if (names[index]) { label.textContent = names[index]; }
      slot.hidden = !names[index] && !hasError;
    });
  }

  function initOptions(root) {
    var section = root.querySelector("[data-option-names]");
    if (!section) { return; }
    var count = function () { return section.querySelectorAll("[data-option-row]").length; };
    var add = section.querySelector("[data-option-add]");
    var max = parseInt((section.querySelector("input[name$='-MAX_NUM_FORMS']") || {}).value || "3", 10);
    initRows(section, "[data-option-list]", "[data-option-template]", "[data-option-add]", "[data-option-hint]", function () {
      if (add) { add.hidden = count() >= max; }
    });
    if (add) { add.hidden = count() >= max; }
    section.addEventListener("input", function () { refreshOptionSlots(document); });
    section.addEventListener("change", function () { refreshOptionSlots(document); });
    section.addEventListener("click", function () {
      window.setTimeout(function () { if (add) { add.hidden = count() >= max; } }, 0);
    });
  }

  function initVariants(root) {
    initRows(root, "[data-variant-list]", "[data-variant-template]", "[data-variant-add]", "[data-variant-add-hint]", function () {
      refreshOptionSlots(document);
    });
  }

  // --- Images: upload with a progress bar, then refresh the images card. ------------------------
  function refreshImages(card) {
    var request = new XMLHttpRequest();
    request.open("GET", card.getAttribute("data-images-url"));
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.onload = function () {
      if (request.status === 200) {
        card.outerHTML = request.responseText;
        var fresh = document.querySelector("[data-images]");
        if (fresh) {
          initImages(fresh);
          if (window.htmx) { window.htmx.process(fresh); }
        }
      }
    };
    request.send();
  }

  function initUpload(card) {
    var form = card.querySelector("[data-image-upload]");
    if (!form || !window.FormData) { return; }
    var progress = form.querySelector("[data-upload-progress]");
    var status = form.querySelector("[data-upload-status]");
    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]");
      if (!file || !file.files.length) { return; }
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.setRequestHeader("X-CSRFToken", csrfToken(form));
      progress.hidden = false;
      progress.value = 0;
      status.textContent = form.getAttribute("data-uploading");
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          progress.value = Math.round((e.loaded / e.total) * 100);
          progress.textContent = progress.value + "%";
        }
      });
      request.onload = function () {
        if (request.status === 200) {
          card.outerHTML = request.responseText;
          var fresh = document.querySelector("[data-images]");
          if (fresh) {
            initImages(fresh);
            if (window.htmx) { window.htmx.process(fresh); }
            var freshStatus = fresh.querySelector("[data-upload-status]");
            if (freshStatus) { freshStatus.textContent = fresh.getAttribute("data-uploaded"); }
          }
          return;
        }
        progress.hidden = true;
        var message = form.getAttribute("data-failed");
        try { message = JSON.parse(request.responseText).errors.join(" "); } catch (e) { /* keep the default */ }
        status.textContent = message;
        status.classList.add("image-upload__status--error");
      };
      request.onerror = function () {
        progress.hidden = true;
        status.textContent = form.getAttribute("data-failed");
      };
      request.send(new FormData(form));
    });
  }

  // --- Images: drag to reorder (the buttons stay for keyboards and for no script). --------------
  function initDrag(card) {
    var list = card.querySelector("[data-image-list]");
    if (!list || list.children.length < 2) { return; }
    var hint = card.querySelector("[data-drag-hint]");
    if (hint) { hint.hidden = false; }
    var dragged = null;
    Array.prototype.forEach.call(list.children, function (item) {
      item.draggable = true;
      item.addEventListener("dragstart", function (e) {
        dragged = item;
        item.classList.add("image-tile--dragging");
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", item.getAttribute("data-image-id"));
      });
      item.addEventListener("dragend", function () {
        item.classList.remove("image-tile--dragging");
        dragged = null;
      });
      item.addEventListener("dragover", function (e) {
        if (!dragged || dragged === item) { return; }
        e.preventDefault();
        var box = item.getBoundingClientRect();
        var after = (e.clientX - box.left) > box.width / 2 || (e.clientY - box.top) > box.height / 2;
        list.insertBefore(dragged, after ? item.nextSibling : item);
      });
      item.addEventListener("drop", function (e) {
        e.preventDefault();
        saveOrder(card, list);
      });
    });
  }

  function saveOrder(card, list) {
    var body = new FormData();
    Array.prototype.forEach.call(list.children, function (item) {
      body.append("image_ids", item.getAttribute("data-image-id"));
    });
    var request = new XMLHttpRequest();
    request.open("POST", card.getAttribute("data-order-url"));
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.setRequestHeader("X-CSRFToken", csrfToken(card));
    request.onload = function () { refreshImages(card); };
    request.send(body);
  }

  // --- Categories: a search box filters the tick boxes (all stay in the form). ------------------
  function initCategoryPicker(root) {
    var picker = root.querySelector("[data-category-picker]");
    if (!picker) { return; }
    var search = picker.querySelector("[data-category-filter]");
    var none = picker.querySelector("[data-category-none]");
    var options = picker.querySelectorAll("[data-category-list] label");
    search.hidden = false;
    search.addEventListener("input", function () {
      var wanted = search.value.trim().toLocaleLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(options, function (label) {
        var box = label.querySelector("input");
        var match = !wanted || label.textContent.toLocaleLowerCase().indexOf(wanted) !== -1;
        // Ticked categories stay in view, so what is chosen is always visible.
        var visible = match || (box && box.checked);
        (label.parentElement || label).hidden = !visible;
        if (visible) { shown += 1; }
      });
      if (none) { none.hidden = shown > 0; }
    });
  }

  // --- New product: its first photo goes with the form, with a progress bar. ------------------
  function initProductCreate(root) {
    var form = root.querySelector("[data-product-create]");
    if (!form || !window.FormData) { return; }
    var progress = form.querySelector("[data-upload-progress]");
    var status = form.querySelector("[data-upload-status]");
    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]");
      if (!file || !file.files.length || form.hasAttribute("data-sending")) { return; }
      event.preventDefault();
      form.setAttribute("data-sending", "");
      var request = new XMLHttpRequest();
      request.open("POST", form.action || window.location.href);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.setRequestHeader("X-CSRFToken", csrfToken(form));
      progress.hidden = false;
      progress.value = 0;
      status.textContent = status.getAttribute("data-uploading");
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          progress.value = Math.round((e.loaded / e.total) * 100);
          progress.textContent = progress.value + "%";
        }
      });
      request.onload = function () {
        var answer = null;
        try { answer = JSON.parse(request.responseText); } catch (e) { /* the page, with errors */ }
        if (request.status === 200 && answer && answer.redirect) {
          window.location.assign(answer.redirect);
          return;
        }
        // The form has errors to show: send it the ordinary way, which renders them.
        form.submit();
      };
      request.onerror = function () { form.submit(); };
      request.send(new FormData(form));
    });
  }

  function initImages(card) {
    initUpload(card);
    initDrag(card);
  }

  document.addEventListener("DOMContentLoaded", function () {
    initOptions(document);
    initVariants(document);
    initCategoryPicker(document);
    initProductCreate(document);
    var card = document.querySelector("[data-images]");
    if (card) { initImages(card); }
  });
  // htmx swaps in a fresh images card while thumbnails are being made.
  document.addEventListener("htmx:afterSwap", function () {
    var card = document.querySelector("[data-images]");
    if (card) { initImages(card); }
  });
})();
