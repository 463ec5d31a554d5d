// websignup admin, form builder: drag and drop to reorder the address
// fields (Move up / Move down buttons are the keyboard alternative and the
// no-script way). On drop the new order is posted with the page's CSRF
// token; the page then reloads to show the saved order, or the reason it
// was refused.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  function init() {
    var list = document.querySelector("[data-sortable][data-order-url]");
    if (!list) return;
    var dragged = null;
    var rows = function () { return Array.prototype.slice.call(list.querySelectorAll("li[data-key]")); };
    rows().forEach(function (li) {
      li.setAttribute("draggable", "true");
      li.addEventListener("dragstart", function (e) {
        dragged = li;
        li.classList.add("af-fieldrow--dragging");
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", li.dataset.key);
      });
      li.addEventListener("dragend", function () {
        li.classList.remove("af-fieldrow--dragging");
        rows().forEach(function (r) { r.classList.remove("af-fieldrow--over"); });
      });
      li.addEventListener("dragover", function (e) {
        if (!dragged || dragged === li) return;
        e.preventDefault();
        li.classList.add("af-fieldrow--over");
      });
      li.addEventListener("dragleave", function () { li.classList.remove("af-fieldrow--over"); });
      li.addEventListener("drop", function (e) {
        e.preventDefault();
        if (!dragged || dragged === li) return;
        var all = rows();
        if (all.indexOf(dragged) < all.indexOf(li)) {
          li.after(dragged);
        } else {
          li.before(dragged);
        }
        save();
      });
    });
    function save() {
      var status = document.getElementById("af-order-status");
      if (status) status.textContent = "Saving the new order…";
      var body = new URLSearchParams();
      body.set("order", rows().map(function (r) { return r.dataset.key; }).join(","));
      body.set("_csrf", list.dataset.csrf);
      fetch(list.dataset.orderUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" }
      }).then(function (res) {
        if (res.redirected) {
          window.location.assign(res.url);
        } else {
          return res.text().then(function (html) {
            document.open(); document.write(html); document.close();
          });
        }
      }).catch(function () { window.location.reload(); });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
