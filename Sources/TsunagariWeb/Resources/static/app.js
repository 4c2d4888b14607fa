// Tsunagari: a little plain JavaScript on top of pages that work without it.
// Typeahead over names in the header search box: the viewer's 1st and 2nd degree first.
"use strict";

(function () {
  var input = document.getElementById("header-search");
  var list = document.getElementById("typeahead");
  if (!input || !list) return;

  var endpoint = input.getAttribute("data-typeahead");
  var timer = null;
  var active = -1;
  var latest = 0;
  var degreeText = document.documentElement.lang === "ja"
    ? { 1: "1次", 2: "2次", 3: "3次" }
    : { 1: "1st", 2: "2nd", 3: "3rd" };

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
  }

  function highlight(index) {
    var items = list.querySelectorAll("li");
    active = index;
    for (var i = 0; i < items.length; i++) {
      items[i].classList.toggle("active", i === index);
      items[i].setAttribute("aria-selected", i === index ? "true" : "false");
    }
  }

  // Every value is set as text, never as HTML.
  function render(people) {
    list.textContent = "";
    active = -1;
    if (!people.length) { close(); return; }
    people.forEach(function (person, index) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = "typeahead-" + index;
      var link = document.createElement("a");
      link.href = "/in/" + encodeURIComponent(person.handle);
      link.className = "typeahead-link";
      var name = document.createElement("span");
      name.className = "typeahead-name";
      name.textContent = person.name;
      link.appendChild(name);
      if (person.degree >= 1 && person.degree <= 3) {
        var badge = document.createElement("span");
        badge.className = "degree degree-" + person.degree;
        badge.textContent = degreeText[person.degree];
        link.appendChild(document.createTextNode(" "));
        link.appendChild(badge);
      }
      if (person.headline) {
        var headline = document.createElement("span");
        headline.className = "typeahead-headline";
        headline.textContent = person.headline;
        link.appendChild(headline);
      }
      item.appendChild(link);
      list.appendChild(item);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function lookup() {
    var text = input.value.trim();
    if (!text || /[()"「」]|\b(AND|OR|NOT)\b|:/.test(text)) { close(); return; }
    var ticket = ++latest;
    fetch(endpoint + "?q=" + encodeURIComponent(text), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { items: [] }; })
      .then(function (body) { if (ticket === latest) render(body.items || []); })
      .catch(function () { close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 120);
  });

  input.addEventListener("keydown", function (event) {
    var items = list.querySelectorAll("li");
    if (list.hidden || !items.length) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight((active - 1 + items.length) % items.length);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = items[active].querySelector("a").href;
    } else if (event.key === "Escape") {
      close();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target !== input && !list.contains(event.target)) close();
  });
})();
