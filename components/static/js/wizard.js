// websignup wizard: shows and hides the address step's conditional fields
// as the prospect answers, so they need not submit to see them. Without
// this script the server shows them after the first submit, so nothing
// depends on it.
(function () {
  "use strict";

  function valueOf(form, key) {
    var els = form.querySelectorAll('[name="' + CSS.escape(key) + '"]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.type === "radio") {
        if (el.checked) return el.value;
        continue;
      }
      if (el.type === "checkbox") return el.checked ? el.value : "";
      return el.value.trim();
    }
    return "";
  }

  function isShown(form, key, seen) {
    var box = form.querySelector('[data-show-when][data-key="' + CSS.escape(key) + '"]');
    if (!box) return true;
    return seen[key] !== false;
  }

  function update(form) {
    var seen = {};
    var boxes = form.querySelectorAll("[data-show-when]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var dep = box.getAttribute("data-show-when");
      var show = isShown(form, dep, seen) && valueOf(form, dep) === box.getAttribute("data-show-equals");
      seen[box.getAttribute("data-key")] = show;
      box.hidden = !show;
    }
  }

  function init() {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if (!form.querySelector("[data-show-when]")) continue;
      form.addEventListener("change", update.bind(null, form));
      form.addEventListener("input", update.bind(null, form));
      update(form);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
