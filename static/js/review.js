// The review page's in-place actions (htmx). Progressive enhancement: without this file and
// htmx, every form posts and the server redirects back to the answer card.
(function () {
  "use strict";
  // A card swapped in replaces the element that had the focus when a button (which has no id
  // for htmx to find again) was used: keep the coordinator's place by focusing the new card.
  document.addEventListener("htmx:afterSettle", function (event) {
    var card = event.detail.elt;
    if (!card || !card.classList || !card.classList.contains("review-answer")) {
      return;
    }
    if (document.activeElement === document.body || !document.body.contains(document.activeElement)) {
      var target = card.querySelector(".is-invalid") || card.querySelector("input[name$='-verified_score']") || card.querySelector("h2");
      if (target) {
        target.focus();
      }
    }
  });
  // Redirected (the session expired: the login page) or refused for another reason (403, 404,
  // 500): do what the form would do without JavaScript instead of showing a page inside a card.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && new URL(xhr.responseURL).pathname !== new URL(event.detail.requestConfig.path, window.location.href).pathname) {
      event.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL);
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.tagName === "FORM") {
      elt.submit();
    } else if (elt && elt.tagName === "DETAILS") {
      var link = elt.querySelector(".answer-extras-body a");
      if (link) {
        window.location.assign(link.href);
      }
    }
  });
})();
