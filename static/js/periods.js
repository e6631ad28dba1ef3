// The new-period form: the name's placeholder (the name the period gets when it is left empty)
// follows the year and stage as the admin types them. Without this file the server makes the
// same name from what was sent (forms.periods.standard_name).
(function () {
  "use strict";
  var name = document.querySelector("[data-standard-name]");
  var year = document.getElementById("id_year");
  var stage = document.getElementById("id_stage");
  if (!name || !year || !stage) {
    return;
  }
  function update() {
    var roman = stage.value === "1" ? "I" : stage.value === "2" ? "II" : "";
    if (!/^\d{4}$/.test(year.value.trim()) || !roman) {
      return;
    }
    name.placeholder = name.getAttribute("data-standard-name")
      .replace("{year}", year.value.trim())
      .replace("{stage}", roman);
  }
  year.addEventListener("input", update);
  stage.addEventListener("change", update);
  update();
})();
