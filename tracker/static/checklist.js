// Checkbox lists with a filter box (tracker/common/widgets.py, ChecklistField): typing part of a name
// shows only the matching entries (ticked ones stay ticked, hidden or not); the count follows the ticks.
(function () {
  "use strict";

  function setUp(list) {
    var filter = list.querySelector(".checklist-filter");
    var count = list.querySelector(".checklist-count");
    var none = list.querySelector(".checklist-none");
    var items = Array.prototype.slice.call(list.querySelectorAll(".checklist-item"));

    function recount() {
      var ticked = list.querySelectorAll(".checklist-item input:checked").length;
      count.textContent = count.dataset.template.replace("{n}", String(ticked));
    }

    filter.addEventListener("input", function () {
      var text = filter.value.trim().toLowerCase();
      var shown = 0;
      items.forEach(function (item) {
        var match = !text || item.textContent.toLowerCase().indexOf(text) >= 0;
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      none.hidden = shown > 0;
    });
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // Enter filters, it does not submit the form
    });
    list.addEventListener("change", recount);
  }

  document.querySelectorAll("[data-checklist]").forEach(setUp);
})();
