// Comments, progressively enhanced: replies open the form under the comment,
// the form posts without leaving the page, and "3 hours ago" stays true on a
// page served from cache. Without this script every part still works.
(function () {
  "use strict";
  var form = document.querySelector("[data-comment-form]");
  var lang = document.documentElement.lang || "en";

  function relative(then) {
    var s = (Date.now() - then.getTime()) / 1000;
    if (!window.Intl || !Intl.RelativeTimeFormat || s < 0 || s > 30 * 86400) return null;
    var f = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
    if (s < 60) return f.format(0, "second");
    if (s < 3600) return f.format(-Math.floor(s / 60), "minute");
    if (s < 86400) return f.format(-Math.floor(s / 3600), "hour");
    return f.format(-Math.floor(s / 86400), "day");
  }
  document.querySelectorAll(".comment-meta time[datetime]").forEach(function (t) {
    var r = relative(new Date(t.getAttribute("datetime")));
    if (r) t.textContent = r;
  });

  if (!form) return;
  var home = form.parentNode, next = form.nextSibling;
  var parent = form.querySelector("input[name=parent]");
  var status = form.querySelector(".comment-status");

  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("[data-reply]");
    if (!link) return;
    e.preventDefault();
    var li = document.getElementById("comment-" + link.getAttribute("data-reply"));
    if (!li) return;
    parent.value = link.getAttribute("data-reply");
    li.querySelector(".comment-body").appendChild(form);
    var cancel = form.querySelector(".comment-cancel");
    if (!cancel) {
      cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "comment-cancel link-button";
      cancel.textContent = "×";
      cancel.setAttribute("aria-label", "Cancel reply");
      cancel.addEventListener("click", function () {
        parent.value = "";
        home.insertBefore(form, next);
        cancel.remove();
      });
      form.insertBefore(cancel, form.firstChild);
    }
    form.querySelector("textarea").focus();
  });

  form.addEventListener("submit", function (e) {
    if (!window.fetch || !window.URLSearchParams) return;
    e.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    status.textContent = "…";
    fetch(form.action, {
      method: "POST",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form)).toString(),
      credentials: "same-origin"
    }).then(function (res) {
      return res.json().then(function (body) { return { ok: res.ok, body: body }; });
    }).then(function (r) {
      button.disabled = false;
      if (!r.ok) {
        status.textContent = (r.body.error && r.body.error.message) || "Error";
        return;
      }
      form.querySelector("textarea").value = "";
      if (r.body.status !== "approved") {
        status.textContent = form.getAttribute("data-held");
        return;
      }
      var li = document.createElement("li");
      li.id = "comment-" + r.body.id;
      li.className = "comment comment-new";
      var article = document.createElement("article");
      article.className = "comment-body";
      var meta = document.createElement("header");
      meta.className = "comment-meta";
      var who = document.createElement("span");
      who.className = "comment-author";
      who.textContent = form.querySelector("input[name=name]").value;
      meta.appendChild(who);
      var text = document.createElement("div");
      text.className = "comment-text";
      text.innerHTML = r.body.html; // sanitised by the server (markdown.Comment)
      article.appendChild(meta);
      article.appendChild(text);
      li.appendChild(article);
      var list;
      if (parent.value) {
        var p = document.getElementById("comment-" + parent.value);
        list = p.querySelector(":scope > .comment-replies");
        if (!list) { list = document.createElement("ol"); list.className = "comment-replies"; p.appendChild(list); }
        list.appendChild(li);
      } else {
        list = document.querySelector(".comment-list");
        if (!list) { list = document.createElement("ol"); list.className = "comment-list"; home.insertBefore(list, form); }
        list.insertBefore(li, list.firstChild);
      }
      status.textContent = "";
      li.scrollIntoView({ block: "nearest" });
    }).catch(function () {
      button.disabled = false;
      form.submit();
    });
  });
})();
