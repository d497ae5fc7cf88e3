// Folio admin: tag suggestions in the editor (progressive enhancement).
// Without this file the editor lists the suggestions for a saved article
// as text; with it they become buttons that add the tag, and a "Suggest
// tags" button asks the server again for the text as it is now.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  var box = document.getElementById("tag-suggestions");
  var tags = document.getElementById("tags");
  if (!form || !box || !tags) {
    return;
  }
  var url = box.getAttribute("data-url");
  var list = box.querySelector("ul");
  if (!list) {
    list = document.createElement("ul");
    box.appendChild(list);
  }

  function current() {
    return tags.value.split(",").map(function (t) { return t.trim().toLowerCase(); }).filter(Boolean);
  }

  function add(name) {
    if (current().indexOf(name.toLowerCase()) >= 0) {
      return;
    }
    var v = tags.value.trim();
    tags.value = v === "" ? name : v.replace(/,\s*$/, "") + ", " + name;
    tags.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function button(name, existing) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "tag-suggestion" + (existing ? " existing" : "");
    b.textContent = "+ " + name;
    b.setAttribute("aria-label", "Add tag " + name);
    b.addEventListener("click", function () {
      add(name);
      b.parentNode.remove();
    });
    return b;
  }

  function show(items) {
    list.textContent = "";
    items.forEach(function (s) {
      var li = document.createElement("li");
      li.appendChild(button(s.name, s.existing));
      list.appendChild(li);
    });
    box.hidden = false;
  }

  // Upgrade the server-rendered list.
  show(Array.prototype.map.call(list.querySelectorAll("li"), function (li) {
    return { name: li.getAttribute("data-tag") || li.textContent.trim(), existing: li.classList.contains("existing") };
  }));

  var ask = document.createElement("button");
  ask.type = "button";
  ask.className = "suggest-tags";
  ask.textContent = "Suggest tags";
  ask.addEventListener("click", function () {
    var data = new URLSearchParams(new FormData(form));
    data.delete("action");
    ask.disabled = true;
    fetch(url, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (j) { show(j.suggestions || []); })
      .catch(function () {})
      .then(function () { ask.disabled = false; });
  });
  box.insertBefore(ask, box.firstChild);
})();
