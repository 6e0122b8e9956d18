// The header search box's suggestions (products, categories, shops) as the shopper types: an
// ARIA 1.2 combobox with a listbox popup. Up/Down move through the suggestions, Enter opens the
// highlighted one (or searches for what was typed), Escape closes the list. Without JavaScript
// the box is a plain search form.
(function () {
  "use strict";

  var MIN_LENGTH = 2;
  var DELAY_MS = 150;

  function bind(form) {
    var input = form.querySelector("input[type=search]");
    var source = form.dataset.autocomplete;
    if (!input || !source) return;
    var listbox = document.createElement("ul");
    var status = document.createElement("div");
    var listboxId = input.id + "-suggestions";
    var timer = null;
    var controller = null;
    var options = [];
    var active = -1;
    var latest = "";

    listbox.id = listboxId;
    listbox.className = "autocomplete";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", form.dataset.textSuggestions || "");
    listbox.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    form.classList.add("search--autocomplete");
    form.appendChild(listbox);
    form.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listboxId);

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      options.forEach(function (option, position) {
        option.setAttribute("aria-selected", position === index ? "true" : "false");
      });
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }

    function group(title, items, label) {
      if (!items.length) return;
      var heading = document.createElement("li");
      heading.className = "autocomplete__group";
      heading.setAttribute("role", "presentation");
      heading.textContent = title;
      listbox.appendChild(heading);
      items.forEach(function (item) {
        var option = document.createElement("li");
        option.id = listboxId + "-" + options.length;
        option.className = "autocomplete__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.url = item.url;
        option.textContent = label(item);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box until we navigate
        });
        option.addEventListener("click", function () {
          window.location.assign(item.url);
        });
        listbox.appendChild(option);
        options.push(option);
      });
    }

    function render(data) {
      listbox.textContent = "";
      options = [];
      active = -1;
      group(form.dataset.textProducts || "", data.products || [], function (item) {
        return item.title;
      });
      group(form.dataset.textCategories || "", data.categories || [], function (item) {
        return item.name;
      });
      group(form.dataset.textShops || "", data.shops || [], function (item) {
        return item.name;
      });
      var count = options.length;
      status.textContent = count
        ? (form.dataset.textCount || "").replace("__count__", String(count))
        : form.dataset.textNone || "";
      if (!count) {
        close();
        return;
      }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      input.removeAttribute("aria-activedescendant");
    }

    function fetchSuggestions() {
      var text = input.value.trim();
      latest = text;
      if (text.length < MIN_LENGTH) {
        close();
        status.textContent = "";
        return;
      }
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var url = source + "?q=" + encodeURIComponent(text);
      fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data && text === latest) render(data);
        })
        .catch(function () {
          // Aborted by newer typing, or offline: the plain search still works.
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden && options.length > 0;
      if (event.key === "ArrowDown") {
        if (!open) {
          if (options.length) {
            listbox.hidden = false;
            input.setAttribute("aria-expanded", "true");
          }
          return;
        }
        event.preventDefault();
        highlight(active + 1 >= options.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          window.location.assign(options[active].dataset.url);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 100);
    });
  }

  function start() {
    document.querySelectorAll("form[data-autocomplete]").forEach(bind);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
