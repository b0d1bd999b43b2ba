// Triage's keys and its poll for new stories. Everything here has a link or a form behind it:
// without this file the page works the same, one click at a time (decision 0090).
(function () {
  "use strict";
  var POLL_MS = 30000;
  var list = document.getElementById("triage-list");
  var keysHelp = document.getElementById("triage-keys");
  var selectedId = null;
  // What the server last sent: the list on the page carries classes added here (selected, new),
  // so it is compared with this, not with the page, or every poll would swap it again.
  var lastHtml = list ? list.innerHTML.trim() : "";

  function stories() {
    return list ? Array.prototype.slice.call(list.querySelectorAll(".desk-story")) : [];
  }

  function select(item) {
    stories().forEach(function (story) {
      story.classList.toggle("is-selected", story === item);
    });
    if (!item) { selectedId = null; return; }
    selectedId = item.getAttribute("data-story");
    var link = item.querySelector(".story-open");
    if (link) { link.focus({ preventScroll: true }); }
    item.scrollIntoView({ block: "nearest" });
  }

  function selected() {
    var all = stories();
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute("data-story") === selectedId) { return all[i]; }
    }
    return null;
  }

  function move(step) {
    var all = stories();
    if (!all.length) { return; }
    var index = all.indexOf(selected());
    index = index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + step));
    select(all[index]);
  }

  function submit(item, selector) {
    var button = item && item.querySelector(selector);
    if (button) { button.form.requestSubmit(button); }
  }

  function follow(item, selector) {
    var link = item && item.querySelector(selector);
    if (link) { window.location.assign(link.href); }
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName) && target.type !== "submit" && target.tagName !== "BUTTON");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var item = selected();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "o": follow(item, ".story-open"); break;
      case "c": follow(item, ".story-compose"); break;
      case "x": submit(item, "button.story-dismiss"); break;
      case "s": submit(item, ".story-snooze button"); break;
      case "?": if (keysHelp) { keysHelp.open = !keysHelp.open; if (keysHelp.open) { keysHelp.scrollIntoView({ block: "nearest" }); } } break;
      default: return;
    }
    event.preventDefault();
  });

  // A click or focus inside a story selects it, so the keys act on what the editor looks at.
  if (list) {
    list.addEventListener("focusin", function (event) {
      var item = event.target.closest(".desk-story");
      if (item && item.getAttribute("data-story") !== selectedId) {
        selectedId = item.getAttribute("data-story");
        stories().forEach(function (story) { story.classList.toggle("is-selected", story === item); });
      }
    });
  }

  function poll() {
    if (!list || document.visibilityState !== "visible") { return; }
    var known = {};
    stories().forEach(function (story) { known[story.getAttribute("data-story")] = true; });
    fetch(list.getAttribute("data-poll"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (answer) { return answer.ok && !answer.redirected ? answer.text() : null; })
      .then(function (html) {
        if (html === null || html.trim() === lastHtml) { return; }
        var active = document.activeElement;
        if (active && list.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) { return; }
        lastHtml = html.trim();
        var hadFocus = active && list.contains(active);
        list.innerHTML = html;
        var fresh = stories().filter(function (story) { return !known[story.getAttribute("data-story")]; });
        fresh.forEach(function (story) { story.classList.add("is-new"); });
        var news = document.getElementById("triage-news");
        if (news && fresh.length) {
          news.textContent = fresh.length === 1 ? "1 new story." : fresh.length + " new stories.";
        }
        var again = selected();
        if (again) {
          again.classList.add("is-selected");
          // The focused link was replaced: focus its successor, so the keys go on working.
          var link = again.querySelector(".story-open");
          if (hadFocus && link) { link.focus({ preventScroll: true }); }
        }
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }
  if (list && list.getAttribute("data-poll")) { window.setInterval(poll, POLL_MS); }
  window.datelineTriagePoll = poll;
})();
