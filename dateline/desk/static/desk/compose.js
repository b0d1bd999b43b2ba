// The compose screen without a build step. Everything works without it; it adds the count of
// ticked paragraphs beside each citation and Ctrl/Cmd+Enter to save a draft.
(function () {
  "use strict";
  function counts() {
    document.querySelectorAll("[data-count-for]").forEach(function (out) {
      var name = out.getAttribute("data-count-for");
      var boxes = document.querySelectorAll('input[name="' + CSS.escape(name) + '"]');
      var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
      out.textContent = ticked ? "(" + ticked + " ticked)" : "";
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.type === "checkbox") counts();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var draft = document.querySelector('#compose button[value="draft"]');
      if (draft) { event.preventDefault(); draft.click(); }
    }
  });
  document.addEventListener("DOMContentLoaded", counts);
})();
