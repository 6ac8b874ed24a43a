// <select data-autosubmit> sends its form as soon as a choice is made (the column-mapping step of the import
// review re-reads the draft at once); without JavaScript the form's own button does the same.
(function () {
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
      if (target.form.requestSubmit) { target.form.requestSubmit(); } else { target.form.submit(); }
    }
  });
})();
