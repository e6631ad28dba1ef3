// The quick-win form, progressive enhancement only: without this file every choice is listed.
(function () {
  "use strict";

  // The sub-dimension list offers only the chosen pillar's sub-dimensions: rebuilt from the full
  // list the select carries (data-subdimensions) whenever the pillar changes, so that no phone's
  // picker shows another pillar's (hidden options are still listed by some). A choice of
  // another pillar is cleared; the server checks the pair anyway. The no-script button that
  // sends the pillar for the same purpose is not needed here.
  function followPillar(select) {
    var pillar = document.getElementById(select.getAttribute("data-follows-pillar"));
    var all = JSON.parse(select.getAttribute("data-subdimensions") || "[]");
    if (!pillar || !all.length) {
      return;
    }
    var button = select.form && select.form.querySelector(".show-pillar-subdimensions");
    if (button) {
      button.hidden = true;
    }
    var empty = select.querySelector("option[value='']");
    function rebuild() {
      var chosen = pillar.value;
      var keep = select.value;
      while (select.firstChild) {
        select.removeChild(select.firstChild);
      }
      if (empty) {
        select.appendChild(empty);
      }
      all.forEach(function (sub) {
        if (chosen === "" || String(sub.pillar) === chosen) {
          var option = document.createElement("option");
          option.value = String(sub.id);
          option.textContent = sub.name;
          option.setAttribute("data-pillar", String(sub.pillar));
          select.appendChild(option);
        }
      });
      select.value = keep;
      if (select.value !== keep) {
        select.value = "";
      }
    }
    pillar.addEventListener("change", rebuild);
    if (pillar.value !== "") {
      rebuild();
    }
  }

  // A search box over the supporting agencies' checkboxes; ticked ones always stay in view.
  function filterChecklist(box) {
    var input = box.querySelector("input[type=search]");
    var count = box.querySelector("[aria-live]");
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list) {
      return;
    }
    var items = list.querySelectorAll(".form-check");
    box.hidden = false;
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(items, function (item) {
        var match = !words || item.textContent.toLowerCase().indexOf(words) !== -1;
        var keep = match || item.querySelector("input").checked;
        item.hidden = !keep;
        shown += keep ? 1 : 0;
      });
      count.textContent = words ? count.getAttribute("data-template").replace("{n}", shown) : "";
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("select[data-follows-pillar]"), followPillar);
  Array.prototype.forEach.call(document.querySelectorAll(".agency-filter"), filterChecklist);
})();
