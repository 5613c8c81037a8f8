// Copy buttons: <button data-copy-from="input-id" hidden>. Without JavaScript the button stays hidden
// and the read-only field can still be selected and copied by hand.
document.querySelectorAll('button[data-copy-from]').forEach(function (button) {
  var source = document.getElementById(button.getAttribute('data-copy-from'));
  var status = document.getElementById('copy-status');
  if (!source) { return; }
  button.hidden = false;
  button.addEventListener('click', function () {
    function done(message) { if (status) { status.textContent = message; } }
    source.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(
        function () { done('Copied to the clipboard.'); },
        function () { done(document.execCommand('copy') ? 'Copied to the clipboard.' : 'Press Ctrl+C to copy the selected key.'); });
    } else {
      done(document.execCommand('copy') ? 'Copied to the clipboard.' : 'Press Ctrl+C to copy the selected key.');
    }
  });
});
