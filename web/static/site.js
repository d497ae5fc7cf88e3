// Progressive enhancement only: every link works without this file.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-copy]");
    if (!a || !navigator.clipboard) return;
    e.preventDefault();
    navigator.clipboard.writeText(a.getAttribute("data-copy")).then(function () {
      var old = a.textContent;
      a.textContent = "Link copied";
      setTimeout(function () { a.textContent = old; }, 2000);
    });
  });
})();
