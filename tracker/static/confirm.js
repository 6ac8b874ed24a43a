// Confirmation before a step that cannot be undone (放弃草稿 …): a button or link with
// data-confirm="question" asks first; cancelling stops the click. A static file, because the app's
// Content-Security-Policy (script-src 'self') blocks inline onclick handlers.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
