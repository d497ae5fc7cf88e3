// Progressive enhancement only: every link works without this file.
(function () {
  "use strict";
  // "Copy link" copies instead of navigating, where the clipboard is there.
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-copy]");
    if (!a || !navigator.clipboard) return;
    e.preventDefault();
    navigator.clipboard.writeText(a.getAttribute("data-copy")).then(function () {
      var old = a.textContent;
      a.textContent = a.getAttribute("data-copied") || old;
      setTimeout(function () { a.textContent = old; }, 2000);
    });
  });
  // The Web Share API opens the system's share sheet (phones, some
  // desktops); the button stays hidden where the browser lacks it.
  var b = document.querySelector("button.share-native");
  if (b && navigator.share) {
    b.hidden = false;
    b.addEventListener("click", function () {
      navigator.share({ title: b.getAttribute("data-title"), url: b.getAttribute("data-url") }).catch(function () {});
    });
  }
})();
