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

// Live updates over the page's event stream (Server-Sent Events): the header's unread counts, and messages
// arriving in the conversation on screen. Without JavaScript the pages show the same after a reload.
(function () {
  var source = document.body && document.body.getAttribute("data-events");
  if (!source || !window.EventSource) return;
  var stream = new EventSource(source);
  var conversation = document.getElementById("conversation");
  var list = document.getElementById("messages");
  var composer = document.getElementById("composer");

  function setCount(id, count) {
    var badge = document.getElementById(id);
    if (!badge) return;
    badge.textContent = count >= 100 ? "99+" : String(count);
    badge.hidden = count === 0;
  }

  function csrf() {
    var field = document.querySelector("input[name=_csrf]");
    return field ? field.value : "";
  }

  function time(text) {
    return String(text || "").slice(0, 16).replace("T", " ");
  }

  // Every value is set as text, never as HTML.
  function append(message) {
    var viewer = conversation.getAttribute("data-viewer");
    var item = document.createElement("li");
    item.className = message.sender && message.sender.id === viewer ? "message mine" : "message";
    item.setAttribute("data-id", message.id);
    var meta = document.createElement("p");
    meta.className = "message-meta small-text";
    var sender = document.createElement("span");
    sender.className = "message-sender";
    sender.textContent = message.sender && message.sender.id === viewer
      ? conversation.getAttribute("data-you")
      : (message.sender ? message.sender.name : "");
    meta.appendChild(sender);
    meta.appendChild(document.createTextNode(" · "));
    var when = document.createElement("time");
    when.setAttribute("datetime", message.sentAt);
    when.textContent = time(message.sentAt);
    meta.appendChild(when);
    var text = document.createElement("p");
    text.className = "message-text prewrap";
    text.textContent = message.text;
    item.appendChild(meta);
    item.appendChild(text);
    list.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
  }

  // A new post for this feed: offer to show it (the feed is ranked, so it is not slipped in).
  var fresh = document.getElementById("new-posts");
  stream.addEventListener("post", function () {
    if (fresh) fresh.hidden = false;
  });

  stream.addEventListener("unread", function (event) {
    var counts = JSON.parse(event.data);
    setCount("unread-count", counts.notifications);
    setCount("message-count", counts.messages);
  });

  stream.addEventListener("message", function (event) {
    var message = JSON.parse(event.data);
    if (!conversation || !list || conversation.getAttribute("data-conversation") !== message.conversationId) return;
    var items = list.querySelectorAll("li[data-id]");
    for (var i = 0; i < items.length; i++) {
      if (items[i].getAttribute("data-id") === message.id) return;
    }
    append(message);
    // Seen on screen: read.
    var body = new URLSearchParams();
    body.set("_csrf", csrf());
    body.set("upTo", message.id);
    fetch("/messages/" + encodeURIComponent(message.conversationId) + "/read", {
      method: "POST", credentials: "same-origin", body: body
    }).catch(function () {});
  });

  // The composer sends without leaving the page while the stream is open; the message comes back on it.
  if (composer) {
    composer.addEventListener("submit", function (event) {
      if (stream.readyState !== EventSource.OPEN) return;
      event.preventDefault();
      var field = composer.querySelector("textarea[name=text]");
      var button = composer.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      fetch(composer.action, { method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(composer)) })
        .then(function (response) {
          if (response.ok && response.redirected) {
            field.value = "";
          } else {
            composer.submit();
          }
        })
        .catch(function () { composer.submit(); })
        .then(function () { if (button) button.disabled = false; field.focus(); });
    });
  }
})();

// Reactions update in place: the same form is sent without leaving the page and the counts come back as JSON.
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("reactions") || !window.fetch) return;
    var button = event.submitter;
    if (!button || !button.getAttribute("data-type")) return;
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    body.set("type", button.value);
    fetch(form.action, {
      method: "POST", credentials: "same-origin", body: body, headers: { Accept: "application/json" }
    })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
      .then(function (post) {
        var buttons = form.querySelectorAll("button[data-type]");
        for (var i = 0; i < buttons.length; i++) {
          var type = buttons[i].getAttribute("data-type");
          var chosen = post.viewerReaction === type;
          buttons[i].value = chosen ? "none" : type;
          buttons[i].className = chosen ? "reaction chosen" : "reaction";
          buttons[i].setAttribute("aria-pressed", chosen ? "true" : "false");
          var count = buttons[i].querySelector(".reaction-count");
          if (count) count.textContent = String((post.reactionCounts || {})[type] || 0);
        }
      })
      .catch(function () {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "type";
        field.value = button.value;
        form.appendChild(field);
        form.submit();
      });
  });
})();

// An upload can take a while on a slow line: the button says the file is on its way and cannot be pressed twice.
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("upload-form")) return;
    var button = form.querySelector("button[data-busy]");
    if (!button) return;
    button.textContent = button.getAttribute("data-busy");
    button.setAttribute("aria-busy", "true");
    // Disabled after the submission has started, so the browser still sends the form.
    setTimeout(function () { button.disabled = true; }, 0);
  });
})();

// The photo form's crop: without this script the server crops the centre. With it, the chosen picture is shown in a
// square that the member drags and zooms; the square, in the picture's own pixels, goes with the form.
(function () {
  var file = document.getElementById("photo-file");
  var canvas = document.getElementById("crop-canvas");
  var zoom = document.getElementById("crop-zoom");
  if (!file || !canvas || !zoom) return;
  var box = document.getElementById("crop-preview");
  var fields = {
    x: document.getElementById("photo-cropX"),
    y: document.getElementById("photo-cropY"),
    size: document.getElementById("photo-cropSize")
  };
  var context = canvas.getContext("2d");
  var image = null, cx = 0, cy = 0, side = 0;

  function clamp() {
    var w = image.naturalWidth, h = image.naturalHeight;
    side = Math.min(w, h) / parseFloat(zoom.value || "1");
    cx = Math.min(Math.max(cx, side / 2), w - side / 2);
    cy = Math.min(Math.max(cy, side / 2), h - side / 2);
  }

  function draw() {
    if (!image) return;
    clamp();
    var left = Math.round(cx - side / 2), top = Math.round(cy - side / 2), size = Math.floor(side);
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, left, top, size, size, 0, 0, canvas.width, canvas.height);
    fields.x.value = String(left);
    fields.y.value = String(top);
    fields.size.value = String(size);
  }

  file.addEventListener("change", function () {
    var chosen = file.files && file.files[0];
    for (var key in fields) fields[key].value = "";
    if (!chosen || !/^image\/(jpeg|png|webp)$/.test(chosen.type)) { box.hidden = true; return; }
    var url = URL.createObjectURL(chosen);
    var loading = new Image();
    loading.onload = function () {
      image = loading;
      cx = image.naturalWidth / 2;
      cy = image.naturalHeight / 2;
      zoom.value = "1";
      box.hidden = false;
      draw();
    };
    loading.onerror = function () { box.hidden = true; URL.revokeObjectURL(url); };
    loading.src = url;
  });

  zoom.addEventListener("input", draw);

  var dragging = null;
  canvas.addEventListener("pointerdown", function (event) {
    if (!image) return;
    dragging = { x: event.clientX, y: event.clientY };
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!dragging || !image) return;
    // A pointer moved across the preview moves the square the other way, by the preview's scale.
    var scale = side / canvas.getBoundingClientRect().width;
    cx -= (event.clientX - dragging.x) * scale;
    cy -= (event.clientY - dragging.y) * scale;
    dragging = { x: event.clientX, y: event.clientY };
    draw();
  });
  canvas.addEventListener("pointerup", function () { dragging = null; });
  canvas.addEventListener("pointercancel", function () { dragging = null; });
})();
