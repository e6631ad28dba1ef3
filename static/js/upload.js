// Progressive enhancement: a form marked data-upload sends its file with an XHR, so that the page
// shows how much of it has reached the server (on a regency link the transfer is the slow part).
// Without this file the form posts as usual and the browser shows its own indicator.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute("data-upload") || !window.FormData) {
      return;
    }
    var box = form.querySelector(".upload-progress");
    if (!box) {
      return;
    }
    event.preventDefault();
    // A file chosen with its confirmation left unticked (replacing the agency's rows): the file
    // does not leave the browser; the box is marked and focused, and its help text says why.
    // (Without a file the server says to choose one; without this script the server refuses.)
    var unticked = form.querySelector("input[type=checkbox][data-confirm-required]:not(:checked)");
    var chosen = form.querySelector("input[type=file]");
    if (unticked && chosen && chosen.files && chosen.files.length) {
      unticked.classList.add("is-invalid");
      unticked.focus();
      return;
    }
    var bar = box.querySelector("progress");
    var percent = box.querySelector("[data-upload-percent]");
    var failed = box.querySelector("[data-upload-failed]");
    var button = form.querySelector("[type=submit]");

    function show(value) {
      bar.value = value;
      bar.textContent = value + "%";
      percent.textContent = value;
    }

    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    // The server answers this with the next address as JSON instead of a redirect: an XHR
    // would follow the redirect itself and take that page's message with it.
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) {
        show(Math.floor((progress.loaded * 100) / progress.total));
      }
    });
    xhr.addEventListener("load", function () {
      var location = null;
      try {
        location = JSON.parse(xhr.responseText).location;
      } catch (ignored) {
        location = null;
      }
      if (location) {
        show(100);
        window.location.assign(location);
      } else {
        // The server answered with a page (a form error): post the form the ordinary way to see it.
        form.submit();
      }
    });
    xhr.addEventListener("error", function () {
      // An XHR error says only that no answer came back: the connection, but just as well a file
      // changed on disk after it was chosen, or a server that answered before reading it all.
      // Only an offline browser is a broken connection; otherwise post the form the ordinary way,
      // so that the server's own answer (or the browser's own error page) says what happened.
      if (navigator.onLine === false) {
        failed.hidden = false;
        button.disabled = false;
      } else {
        box.hidden = true;
        form.submit();
      }
    });
    show(0);
    box.hidden = false;
    failed.hidden = true;
    button.disabled = true;
    xhr.send(new FormData(form));
  });
})();
