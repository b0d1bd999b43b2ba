// Keyboard shortcuts on the moderation queue: j/k move between comments, x selects one for the
// bulk buttons, a/s/n/d press the focused comment's approve/spam/not spam/delete button.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".held-comment"));
  if (!items.length) { return; }
  var current = -1;
  function focus(index) {
    current = Math.max(0, Math.min(items.length - 1, index));
    items[current].focus();
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target.matches("input[type=text], input:not([type]), textarea, select")) { return; }
    var key = event.key;
    if (key === "j") { focus(current + 1); event.preventDefault(); return; }
    if (key === "k") { focus(current - 1); event.preventDefault(); return; }
    if (current < 0) { return; }
    var item = items[current];
    if (key === "x") {
      var box = item.querySelector("input[type=checkbox]");
      box.checked = !box.checked;
      event.preventDefault();
      return;
    }
    var button = item.querySelector(".decisions button[data-key='" + key + "']");
    if (button) { event.preventDefault(); button.click(); }
  });
})();
