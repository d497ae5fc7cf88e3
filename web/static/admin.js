// Folio admin: progressive enhancement only. Every form works without this
// file; it adds live preview and autosave to the editor, and confirmations.
(function () {
  "use strict";

  // Buttons with data-confirm ask first (Delete forever, Revoke, ...).
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-confirm]");
    if (b && !window.confirm(b.getAttribute("data-confirm"))) {
      ev.preventDefault();
    }
  });

  var form = document.getElementById("editor");
  if (!form) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var pane = document.getElementById("live-preview");
  var paneBody = document.getElementById("live-preview-body");
  var previewURL = form.getAttribute("data-preview");
  var autosaveURL = form.getAttribute("data-autosave");
  var slug = document.getElementById("slug");

  // The fields as a urlencoded body, which the server's ParseForm reads
  // (FormData alone would be sent as multipart).
  function fields() {
    var data = new URLSearchParams(new FormData(form));
    data.delete("action");
    return data;
  }

  // Live preview: the server renders the Markdown exactly as the site does.
  var previewTimer = null;
  var previewSeq = 0;
  function refreshPreview() {
    var seq = ++previewSeq;
    fetch(previewURL, { method: "POST", body: fields(), credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null || seq !== previewSeq) {
          return;
        }
        var doc = new DOMParser().parseFromString(html, "text/html");
        paneBody.replaceChildren.apply(paneBody, Array.prototype.slice.call(doc.body.childNodes));
        pane.hidden = false;
      })
      .catch(function () {});
  }

  // Autosave: drafts only (the server refuses anything else), every 15
  // seconds while there are unsaved changes.
  var dirty = false;
  var saving = false;
  function autosave() {
    if (!dirty || saving || !autosaveURL || !form.elements.title.value.trim()) {
      return;
    }
    saving = true;
    dirty = false;
    fetch(autosaveURL, { method: "POST", body: fields(), credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        if (!res.ok) {
          status.textContent = "Not autosaved: " + (res.j.error || "error");
          dirty = true;
          return;
        }
        status.textContent = "Draft autosaved at " + res.j.saved_at + ".";
        if (!form.elements.id) {
          // A new article became a draft: keep editing it from now on.
          var id = document.createElement("input");
          id.type = "hidden";
          id.name = "id";
          id.value = res.j.id;
          form.appendChild(id);
          form.action = res.j.edit_url;
          autosaveURL = res.j.autosave_url;
          form.setAttribute("data-autosave", autosaveURL);
          history.replaceState(null, "", res.j.edit_url);
        }
      })
      .catch(function () { dirty = true; status.textContent = "Not autosaved: offline?"; })
      .finally(function () { saving = false; });
  }

  form.addEventListener("input", function () {
    dirty = true;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 400);
  });
  form.addEventListener("submit", function () { dirty = false; });
  setInterval(autosave, 15000);
  refreshPreview();

  // Warn while a published article's slug is being changed.
  if (slug && slug.hasAttribute("data-published-slug")) {
    var original = slug.getAttribute("data-published-slug");
    var help = document.getElementById("slug-help");
    var text = help.textContent;
    slug.addEventListener("input", function () {
      help.textContent = slug.value !== original
        ? "Warning: saving will move this published article from /" + original + " to /" + slug.value + " (the old address redirects)."
        : text;
      help.classList.toggle("warning", slug.value !== original);
    });
  }
})();
