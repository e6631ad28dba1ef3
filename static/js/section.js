// Section page, progressive enhancement only: warn before leaving with unsaved changes.
(function () {
  "use strict";
  var form = document.querySelector("form.section-form");
  if (!form) {
    return;
  }
  var dirty = form.hasAttribute("data-restored");
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
