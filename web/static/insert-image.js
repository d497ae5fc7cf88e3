// Folio admin: Insert image in the editor (progressive enhancement).
// Without this file the editor links to the Media page, where a file is
// uploaded and its Markdown copied. With it, choosing a file uploads it to
// /admin/media (asking for JSON) and inserts the returned Markdown at the
// cursor in the body; what went wrong is said in a live region.
(function () {
  "use strict";
  var box = document.getElementById("insert-image");
  var body = document.getElementById("body");
  if (!box || !body || !window.fetch || !window.FormData) {
    return;
  }
  var url = box.getAttribute("data-url");
  var file = document.getElementById("insert-image-file");
  var alt = document.getElementById("insert-image-alt");
  var status = document.getElementById("insert-image-status");
  box.querySelector(".insert-image-fallback").hidden = true;
  box.querySelector(".insert-image-controls").hidden = false;

  // A textarea keeps its selection when the focus moves to the file
  // input; until the body has been focused, the image goes at the end.
  var touched = false;
  body.addEventListener("focus", function () { touched = true; });

  // Enter in the alt text would submit the article: it does nothing.
  alt.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
    }
  });

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", !!isError);
  }

  // insert puts md at the cursor as a paragraph of its own (so
  // an image becomes a figure), then tells the editor the body changed
  // (live preview, autosave).
  function insert(md) {
    var v = body.value;
    var start = touched ? body.selectionStart : v.length;
    var end = touched ? body.selectionEnd : v.length;
    var before = v.slice(0, start);
    var after = v.slice(end);
    var pre = before === "" || /\n\n$/.test(before) ? "" : (/\n$/.test(before) ? "\n" : "\n\n");
    var post = after === "" || /^\n\n/.test(after) ? "" : (/^\n/.test(after) ? "\n" : "\n\n");
    var text = pre + md + post;
    body.value = before + text + after;
    body.focus();
    body.setSelectionRange(before.length + text.length, before.length + text.length);
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  file.addEventListener("change", function () {
    var f = file.files && file.files[0];
    if (!f) {
      return;
    }
    var data = new FormData();
    data.append("file", f);
    data.append("alt", alt.value.trim());
    file.disabled = true;
    say("Uploading " + f.name + "…");
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (j) { return { ok: r.ok, j: j }; }, function () { return { ok: false, j: {} }; });
      })
      .then(function (res) {
        if (!res.ok || !res.j.markdown) {
          var e = res.j.error;
          say("Not inserted: " + ((e && e.message) || "the upload failed") + ".", true);
          return;
        }
        insert(res.j.markdown);
        alt.value = "";
        say("Inserted " + f.name + (res.j.alt ? "" : " (no alt text: add it between the brackets)") + ".");
      })
      .catch(function () { say("Not inserted: the upload failed (offline?).", true); })
      .finally(function () {
        file.disabled = false;
        file.value = "";
      });
  });
})();
