// Reply links move the one comment form under the comment being answered; without script the
// same links reload the page with ?replytocom=N, which renders the form there.
(function () {
  "use strict";
  var form = document.getElementById("respond");
  if (!form) { return; }
  var parent = form.querySelector("input[name=parent]");
  var heading = document.getElementById("respond-heading");
  var home = form.parentNode;
  var homeNext = form.nextSibling;
  var originalHeading = heading ? heading.textContent : "";
  var cancel = document.createElement("p");
  cancel.className = "cancel-reply";
  var cancelButton = document.createElement("button");
  cancelButton.type = "button";
  cancelButton.className = "link-button";
  cancelButton.textContent = "Cancel the reply";
  cancel.appendChild(cancelButton);
  cancelButton.addEventListener("click", function () {
    parent.value = "";
    if (heading) { heading.textContent = originalHeading; }
    if (cancel.parentNode) { cancel.parentNode.removeChild(cancel); }
    home.insertBefore(form, homeNext);
    form.querySelector("textarea").focus();
  });
  document.querySelectorAll("a.reply-link[data-reply-to]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var comment = document.getElementById("comment-" + link.dataset.replyTo);
      if (!comment) { return; }
      parent.value = link.dataset.replyTo;
      if (heading) { heading.textContent = "Reply to " + link.dataset.replyName; }
      if (!cancel.parentNode) { heading.parentNode.insertBefore(cancel, heading.nextSibling); }
      comment.parentNode.insertBefore(form, comment.nextSibling);
      form.querySelector("textarea").focus();
    });
  });
})();
