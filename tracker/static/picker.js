// Search boxes for long filter menus (tracker/common/pickers.py, the `picker` macro in _macros.html).
// Typing asks the lookup URL for up to 20 matches and offers them as suggestions; choosing one puts
// its id into the hidden field the form submits. An empty box means "all"; text that matches no
// suggestion stops the form with a message instead of silently showing everything.
(function () {
  "use strict";

  function setUp(input) {
    var form = input.form;
    var hidden = form.querySelector('input[type="hidden"][name="' + input.dataset.picker + '"]');
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = null;

    function match() {
      var text = input.value.trim();
      for (var i = 0; i < list.options.length; i++) {
        if (list.options[i].value === text) { return list.options[i]; }
      }
      return null;
    }

    function sync() {
      var option = match();
      hidden.value = option ? option.dataset.id : "";
    }

    function fill(items) {
      var seen = {};
      items.forEach(function (item) { seen[item.label] = (seen[item.label] || 0) + 1; });
      list.replaceChildren.apply(list, items.map(function (item) {
        var option = document.createElement("option");
        option.value = seen[item.label] > 1 ? item.label + " #" + item.id : item.label;  // same titles
        option.label = item.note || "";
        option.dataset.id = String(item.id);
        return option;
      }));
      sync();
    }

    function ask() {
      var text = input.value.trim();
      if (text === asked) { return; }
      asked = text;
      var url = input.dataset.lookup + (input.dataset.lookup.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text);
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {items: []}; })
        .then(function (data) { if (input.value.trim() === text) { fill(data.items || []); } })
        .catch(function () { /* offline: the box keeps its last suggestions */ });
    }

    input.addEventListener("input", function () {
      input.setCustomValidity("");
      sync();
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 150);
    });
    input.addEventListener("focus", ask);
    input.addEventListener("change", sync);
    form.addEventListener("submit", function (event) {
      sync();
      if (input.value.trim() && !hidden.value) {
        input.setCustomValidity(input.dataset.unmatched);
        input.reportValidity();
        event.preventDefault();
      }
    });
  }

  document.querySelectorAll("input[data-picker]").forEach(setUp);
})();
