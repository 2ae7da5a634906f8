/* global document, FileReader */
/*
 * vecron job import: reads the chosen file into the text box (the form is sent as text, so a
 * browser without JavaScript can paste the file instead) and keeps its name for the audit log.
 */
(function () {
  'use strict';
  document.addEventListener('change', function (e) {
    var input = e.target;
    if (!input || input.id !== 'import-file' || !input.files || !input.files[0]) return;
    var file = input.files[0];
    var reader = new FileReader();
    reader.onload = function () {
      document.getElementById('import-text').value = String(reader.result);
      document.getElementById('import-file-name').value = file.name;
      var format = document.getElementById('import-format');
      if (/\.xml$/i.test(file.name) && format.querySelector('option[value="quartz"]')) format.value = 'quartz';
    };
    reader.readAsText(file);
  });
})();
